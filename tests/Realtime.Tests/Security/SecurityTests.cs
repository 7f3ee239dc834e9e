using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Server.Auth;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Security;

public sealed class SecurityTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    public static TheoryData<string> BadTokens() => ["expired", "wrong-issuer", "wrong-audience", "wrong-key", "unsigned", "no-expiry"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_token_that_fails_validation_is_refused_by_the_hub_and_the_routes(string kind)
    {
        var token = kind switch
        {
            "expired" => Token(expires: DateTime.UtcNow.AddMinutes(-5)),
            "wrong-issuer" => Token(issuer: "someone-else"),
            "wrong-audience" => Token(audience: "another-service"),
            "wrong-key" => Token(key: "a-completely-different-signing-key-of-enough-length"),
            "unsigned" => new JsonWebTokenHandler().CreateToken(Descriptor("realtime-test", "realtime", DateTime.UtcNow.AddHours(1), "alice", credentials: null)),
            _ => Token(withExpiry: false),
        };

        await using var client = ChatClient.Create(Server.BaseAddress, () => Task.FromResult<string?>(token));
        var refused = await FluentActions.Awaiting(() => client.StartAsync()).Should().ThrowAsync<HttpRequestException>();
        refused.Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        (await http.GetAsync(new Uri("/api/conversations", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_valid_token_without_a_usable_subject_is_closed_with_forbidden()
    {
        var token = Token(subject: "has spaces, not an id");
        await using var client = ChatClient.Create(Server.BaseAddress, () => Task.FromResult<string?>(token), reconnectPolicy: new NoReconnect());
        var closed = new TaskCompletionSource<Exception?>();
        client.Connection.Closed += error => { closed.TrySetResult(error); return Task.CompletedTask; };

        await FluentActions.Awaiting(() => client.StartAsync()).Should().NotThrowAsync<HttpRequestException>();
        var error = await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));

        error!.Message.Should().Contain("forbidden: ");
    }

    [Fact]
    public async Task An_expired_token_closes_the_connection_at_expiry_and_a_fresh_token_gets_back_in()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Auth:ClockSkew"] = "00:00:00" });
        var issuer = server.Services.GetRequiredService<DevTokenIssuer>();
        var user = Users.Unique("expiring");
        var shortLived = issuer.Issue(new DevTokenRequest(user), TimeSpan.FromSeconds(3));
        var fresh = issuer.Issue(new DevTokenRequest(user)).AccessToken;
        // The client asks for a token at negotiate and again for the WebSocket: hand out the short one until it has expired.
        await using var client = ChatClient.Create(server.BaseAddress, () => Task.FromResult<string?>(DateTime.UtcNow < shortLived.ExpiresAt ? shortLived.AccessToken : fresh));
        var lost = new TaskCompletionSource();
        var back = new TaskCompletionSource();
        client.Connection.Reconnecting += _ => { lost.TrySetResult(); return Task.CompletedTask; };
        client.Connection.Closed += _ => { lost.TrySetResult(); return Task.CompletedTask; };
        client.Connection.Reconnected += _ => { back.TrySetResult(); return Task.CompletedTask; };
        await client.StartAsync();
        var connectedAt = DateTime.UtcNow;

        await lost.Task.WaitAsync(TimeSpan.FromSeconds(20));
        (DateTime.UtcNow - connectedAt).Should().BeGreaterThan(TimeSpan.FromSeconds(1), "the connection lives until the token expires");
        if (client.State == HubConnectionState.Disconnected)
        {
            await client.StartAsync();
        }
        else
        {
            await back.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        (await client.GetConversations()).Should().BeEmpty("the fresh token works");
    }

    [Fact]
    public async Task A_validated_token_leaves_only_the_claims_the_service_reads_on_the_connection()
    {
        var token = Server.Services.GetRequiredService<DevTokenIssuer>().Issue(new DevTokenRequest("alice", "Alice", ["admin", "service"])).AccessToken;
        var options = Server.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(token, options.TokenValidationParameters);
        validated.IsValid.Should().BeTrue();
        var context = new TokenValidatedContext(new DefaultHttpContext(), new AuthenticationScheme(JwtBearerDefaults.AuthenticationScheme, null, typeof(JwtBearerHandler)), options)
        {
            Principal = new ClaimsPrincipal(validated.ClaimsIdentity),
            SecurityToken = validated.SecurityToken,
        };

        await options.Events.TokenValidated(context);

        context.Principal!.Claims.Select(claim => (claim.Type, claim.Value)).Should().BeEquivalentTo(
            [("sub", "alice"), ("name", "Alice"), ("role", "admin"), ("role", "service")],
            "the parsed token, its registered claims and issuer copies would otherwise stay on every open connection");
        context.Principal.Identity!.IsAuthenticated.Should().BeTrue();
        context.Principal.Identity.Name.Should().Be("Alice");
        context.Principal.IsInRole("service").Should().BeTrue();
        context.Principal.Identity.Should().NotBeOfType<CaseSensitiveClaimsIdentity>("that identity keeps the whole parsed token");
    }

    [Fact]
    public async Task Every_route_refuses_an_anonymous_caller()
    {
        var routes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Get, "/api/conversations"),
            (HttpMethod.Post, "/api/conversations"),
            (HttpMethod.Get, "/api/conversations/abc/messages"),
            (HttpMethod.Post, "/api/conversations/abc/messages"),
            (HttpMethod.Post, "/api/notifications"),
            (HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1"),
        };
        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            using var response = await Server.Http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"{method} {path} needs a token");
        }
    }

    [Fact]
    public async Task Every_conversation_method_of_the_hub_is_refused_to_a_non_member()
    {
        await using var owner = await Server.ConnectAsync(Users.Unique("owner"));
        await using var outsider = await Server.ConnectAsync(Users.Unique("outsider"), ChatProtocol.MessagePack);
        var conversation = await owner.Hub.CreateConversation("members only", []);
        var scoped = typeof(IChatHub).GetMethods().Where(m => m.GetParameters().Any(p => p.Name == "conversationId")).ToList();
        scoped.Should().HaveCount(12, "a new conversation method must be added to this check");

        foreach (var method in scoped)
        {
            var arguments = method.GetParameters().Select(p => p.Name switch
            {
                "conversationId" => conversation.Id,
                "userId" => outsider.UserId,
                _ when p.ParameterType == typeof(string) => "x",
                _ when p.ParameterType == typeof(long) => 1L,
                _ when p.ParameterType == typeof(int) => 10,
                _ when p.ParameterType == typeof(bool) => (object)true,
                _ when p.ParameterType == typeof(NewMessageDto) => new NewMessageDto("k", "hi"),
                _ => null,
            }).ToArray();
            var returnType = method.ReturnType.IsGenericType ? method.ReturnType.GetGenericArguments()[0] : typeof(object);

            var refused = await FluentActions.Awaiting(() => outsider.Hub.Connection.InvokeCoreAsync(method.Name, returnType, arguments))
                .Should().ThrowAsync<HubException>($"{method.Name} is for members only");
            refused.Which.Message.Should().StartWith("not_a_member: ");
        }

        (await owner.Hub.GetConversations()).Single().MemberIds.Should().Equal(owner.UserId);
    }

    [Fact]
    public async Task Connections_beyond_the_per_user_limit_are_refused_with_a_reason()
    {
        var user = Users.Unique("many");
        var token = await Server.IssueTokenAsync(user);
        var clients = new List<ChatClient>();
        var refusals = new List<string>();
        try
        {
            for (var i = 0; i < 50; i++)
            {
                var client = ChatClient.Create(Server.BaseAddress, () => Task.FromResult<string?>(token), reconnectPolicy: new NoReconnect());
                var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
                client.Connection.Closed += error => { closed.TrySetResult(error); return Task.CompletedTask; };
                clients.Add(client);
                await client.StartAsync();
                if (i >= 10)
                {
                    refusals.Add((await closed.Task.WaitAsync(TimeSpan.FromSeconds(15)))!.Message);
                }
            }

            clients.Take(10).Should().OnlyContain(c => c.State == HubConnectionState.Connected);
            refusals.Should().HaveCount(40).And.OnlyContain(m => m.Contains("rate_limited: This user already has 10 open connections", StringComparison.Ordinal));
            (await clients[0].GetConversations()).Should().BeEmpty("the first ten keep working");
            await using var other = await Server.ConnectAsync(Users.Unique("other"));
            other.Hub.State.Should().Be(HubConnectionState.Connected, "the limit is per user");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Typing_signals_are_throttled_on_the_server()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"));
        var conversation = await alice.Hub.CreateConversation("throttle", [bob.UserId]);

        for (var i = 0; i < 10; i++)
        {
            await alice.Hub.SetTyping(conversation.Id, true);
        }

        var barrier = await alice.Hub.SendMessage(conversation.Id, "barrier", "done");
        await bob.Received.WaitForMessageAsync(conversation.Id, barrier.Sequence);
        bob.Received.Of<TypingDto>().Where(t => t.IsTyping).Should().ContainSingle("ten signals within the throttle window pass on as one");
    }

    [Fact]
    public async Task Rest_routes_are_rate_limited_per_user_with_a_retry_hint()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:HttpRequestBurst"] = "3",
            ["Chat:HttpRequestsPerSecond"] = "1",
        });
        using var alice = await server.HttpClientForAsync(Users.Unique("alice"));
        using var bob = await server.HttpClientForAsync(Users.Unique("bob"));

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await alice.GetAsync(new Uri("/api/conversations", UriKind.Relative)));
        }

        var limited = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        limited.Should().HaveCountGreaterThanOrEqualTo(6);
        limited[0].Headers.RetryAfter.Should().NotBeNull();
        (await limited[0].Content.ReadFromJsonAsync<Dictionary<string, object>>())!["code"].ToString().Should().Be("rate_limited");
        (await bob.GetAsync(new Uri("/api/conversations", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK, "the limit is per user");
        statuses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Cross_origin_requests_are_allowed_only_from_configured_origins()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = "https://chat.example.com" });

        async Task<string?> AllowedOriginFor(string origin)
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/hubs/chat/negotiate?negotiateVersion=1");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,x-requested-with");
            using var response = await server.Http.SendAsync(preflight);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }

        (await AllowedOriginFor("https://chat.example.com")).Should().Be("https://chat.example.com");
        (await AllowedOriginFor("https://evil.example.net")).Should().BeNull();
    }

    [Fact]
    public async Task Logs_never_contain_tokens_or_message_contents()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
        });
        const string secret = "the-secret-content-7f3a";
        var user = Users.Unique("logged");
        var token = await server.IssueTokenAsync(user);

        // The way browsers connect: the token in the query string of a WebSocket request.
        await using (var socket = await RawHubSocket.ConnectAsync(server.BaseAddress, token))
        {
            var created = await socket.CompletionAsync(await socket.InvokeAsync("CreateConversation", "[\"logs\",[]]"));
            var conversationId = System.Text.Json.JsonDocument.Parse(created.Result!).RootElement.GetProperty("id").GetString();
            (await socket.CompletionErrorAsync(await socket.InvokeAsync("SendMessage", $"[\"{conversationId}\",\"l1\",\"{secret}\"]"))).Should().BeNull();
            (await socket.CompletionErrorAsync(await socket.InvokeAsync("SendMessage", $"[\"{conversationId}\",\"l2\",\"{new string('x', 4001)}{secret}\"]"))).Should().StartWith("payload_too_large");
        }

        using var http = await server.HttpClientForAsync(user);
        (await http.GetAsync(new Uri("/api/conversations/unknown/messages", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        server.Logs.Lines.Should().NotBeEmpty();
        server.Logs.Lines.Should().NotContain(line => line.Contains(secret, StringComparison.Ordinal), "message contents are never logged");
        var signature = token[(token.LastIndexOf('.') + 1)..];
        server.Logs.Lines.Should().NotContain(line => line.Contains(signature, StringComparison.Ordinal), "tokens are never logged");
    }

    private static string Token(string issuer = "realtime-test", string audience = "realtime", string key = ChatServer.SigningKey, DateTime? expires = null, string subject = "alice", bool withExpiry = true)
    {
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256);
        var descriptor = Descriptor(issuer, audience, expires ?? DateTime.UtcNow.AddHours(1), subject, credentials);
        if (!withExpiry)
        {
            descriptor.Expires = null;
            descriptor.NotBefore = null;
            descriptor.IssuedAt = null;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = withExpiry }.CreateToken(descriptor);
    }

    private static SecurityTokenDescriptor Descriptor(string issuer, string audience, DateTime expires, string subject, SigningCredentials? credentials) => new()
    {
        Issuer = issuer,
        Audience = audience,
        Subject = new ClaimsIdentity([new Claim("sub", subject)]),
        NotBefore = expires.AddHours(-2),
        IssuedAt = expires.AddHours(-2),
        Expires = expires,
        SigningCredentials = credentials,
    };

    private sealed class NoReconnect : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => null;
    }
}
