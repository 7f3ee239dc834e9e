using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Server.Auth;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Security;

/// <summary>Issue 24: a connect's two requests carry one token, and the node validates it once.</summary>
public sealed class ConnectTokenReuseTests
{
    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task A_connect_validates_its_token_at_the_negotiate_only_and_the_upgrade_is_the_same_user(ChatProtocol protocol)
    {
        var validations = new Counter();
        await using var server = await StartAsync(validations);
        var user = Users.Unique("once");
        var token = await server.IssueTokenAsync(user);
        var before = validations.Value;

        await using var client = await TestClient.ConnectAsync(server.BaseAddress, user, token, protocol);

        validations.Value.Should().Be(before + 1, "the upgrade took the principal the negotiate validated");
        var presence = await client.Hub.GetPresence([user]);
        presence.Should().ContainSingle().Which.IsOnline.Should().BeTrue("the connection belongs to the token's user");
    }

    [Fact]
    public async Task With_reuse_off_both_requests_of_a_connect_validate_the_token()
    {
        var validations = new Counter();
        await using var server = await StartAsync(validations, ("Auth:ConnectTokenReuse", "00:00:00"));
        var user = Users.Unique("twice");
        var token = await server.IssueTokenAsync(user);
        var before = validations.Value;

        await using var client = await TestClient.ConnectAsync(server.BaseAddress, user, token, ChatProtocol.MessagePack);

        validations.Value.Should().Be(before + 2);
    }

    [Fact]
    public async Task A_token_that_expires_between_the_negotiate_and_the_upgrade_is_refused_at_the_upgrade()
    {
        var validations = new Counter();
        await using var server = await StartAsync(validations, ("Auth:ClockSkew", "00:00:00"), ("Auth:ConnectTokenReuse", "00:01:00"));
        var shortLived = server.Services.GetRequiredService<DevTokenIssuer>().Issue(new DevTokenRequest(Users.Unique("expiring")), TimeSpan.FromSeconds(2));
        var connectionToken = await NegotiateAsync(server, shortLived.AccessToken);

        // The negotiate's validation is kept for at most the token's own life, however long the reuse window.
        while (DateTime.UtcNow <= shortLived.ExpiresAt.AddMilliseconds(200))
        {
            await Task.Delay(50);
        }

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var hub = new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = ChatEndpoints.HubPath, Query = $"id={connectionToken}&access_token={shortLived.AccessToken}" }.Uri;
        await FluentActions.Awaiting(() => socket.ConnectAsync(hub, CancellationToken.None)).Should().ThrowAsync<WebSocketException>();
        socket.HttpStatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    private static async Task<string> NegotiateAsync(ChatServer server, string token)
    {
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, $"{ChatEndpoints.HubPath}/negotiate?negotiateVersion=1");
        negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Http.SendAsync(negotiate);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<NegotiateBody>();
        return body!.ConnectionToken;
    }

    // Counts every token the JWT handler validates, around the service's own handler of that event.
    private static Task<ChatServer> StartAsync(Counter validations, params (string Key, string Value)[] settings) =>
        ChatServer.StartAsync(
            settings.ToDictionary(s => s.Key, s => (string?)s.Value),
            configure: builder => builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt =>
            {
                var service = jwt.Events.OnTokenValidated;
                jwt.Events.OnTokenValidated = context =>
                {
                    validations.Increment();
                    return service(context);
                };
            }));

    private sealed record NegotiateBody(string ConnectionToken);

    private sealed class Counter
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);
    }
}
