using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Security;

/// <summary>
/// Hostile and broken input through raw WebSocket frames and real clients: each case ends with its
/// code or a clean close, the node stays healthy for others, and nothing is half-written.
/// </summary>
public sealed class BadInputTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    /// <summary>Every parameter of every hub method, sent as null and as a value of the wrong JSON type.</summary>
    public static TheoryData<string, int, string> EveryParameter()
    {
        var cases = new TheoryData<string, int, string>();
        foreach (var method in typeof(IChatHub).GetMethods())
        {
            var parameters = method.GetParameters();
            for (var i = 0; i < parameters.Length; i++)
            {
                if (Nullable.GetUnderlyingType(parameters[i].ParameterType) is null)
                {
                    cases.Add(method.Name, i, "null");
                }

                cases.Add(method.Name, i, "wrong-type");
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(EveryParameter))]
    public async Task A_null_or_wrongly_typed_argument_gets_invalid_argument_and_writes_nothing(string methodName, int position, string kind)
    {
        var (user, conversationId) = await MemberWithConversationAsync();
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(user));
        var method = typeof(IChatHub).GetMethod(methodName)!;
        var arguments = method.GetParameters().Select(p => ValidArgument(p, conversationId)).ToArray();
        arguments[position] = kind == "null" ? "null" : WrongType(method.GetParameters()[position].ParameterType);

        var error = await socket.CompletionErrorAsync(await socket.InvokeAsync(methodName, $"[{string.Join(',', arguments)}]"));

        error.Should().MatchRegex("^invalid_argument: .+");
        await ExpectUsableAndUnchangedAsync(socket, conversationId);
    }

    [Theory]
    [InlineData("SendMessage", "[\"c\",\"k\"]", "invalid_argument")]
    [InlineData("SendMessage", "[\"c\",\"k\",\"x\",\"extra\"]", "invalid_argument")]
    [InlineData("GetMessages", "[\"c\",0,99999999999999999999]", "invalid_argument")]
    [InlineData("NoSuchMethod", "[]", "not_found")]
    [InlineData("OnConnectedAsync", "[]", "not_found")]
    [InlineData("Dispose", "[]", "not_found")]
    public async Task Wrong_argument_counts_out_of_range_numbers_and_unknown_methods_get_their_code(string method, string arguments, string code)
    {
        var (user, conversationId) = await MemberWithConversationAsync();
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(user));

        var error = await socket.CompletionErrorAsync(await socket.InvokeAsync(method, arguments.Replace("\"c\"", $"\"{conversationId}\"", StringComparison.Ordinal)));

        error.Should().MatchRegex($"^{code}: .+");
        await ExpectUsableAndUnchangedAsync(socket, conversationId);
    }

    [Theory]
    [InlineData("{\"type\":1,\"target\":\"SendMessage\",\"arguments\":[")]
    [InlineData("this is not json")]
    [InlineData("{\"type\":\"one\"}")]
    public async Task A_malformed_json_frame_closes_only_that_connection(string frame)
    {
        var (user, conversationId) = await MemberWithConversationAsync();
        await using var bystander = await Server.ConnectAsync(Users.Unique("bystander"));
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(user));

        await socket.SendTextAsync(frame + RawHubSocket.RecordSeparator);

        await socket.ClosedWithAsync();
        await ExpectNodeHealthyAsync(bystander);
        await ExpectNothingWrittenAsync(user, conversationId);
    }

    [Fact]
    public async Task A_malformed_messagepack_frame_closes_only_that_connection()
    {
        var (user, conversationId) = await MemberWithConversationAsync();
        await using var bystander = await Server.ConnectAsync(Users.Unique("bystander"), ChatProtocol.MessagePack);
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(user), "messagepack");

        // A well-formed length prefix, then five bytes of a type MessagePack never uses (0xC1).
        await socket.SendBinaryAsync([0x05, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1]);

        await socket.ClosedWithAsync();
        await ExpectNodeHealthyAsync(bystander);
        await ExpectNothingWrittenAsync(user, conversationId);
    }

    [Fact]
    public async Task An_unknown_protocol_is_refused_in_the_handshake()
    {
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(Users.Unique("u")), handshake: false);

        await socket.SendTextAsync("{\"protocol\":\"xml\",\"version\":1}" + RawHubSocket.RecordSeparator);

        (await socket.ReceiveRecordAsync()).Should().Contain("\"error\"");
    }

    [Fact]
    public async Task A_frame_over_the_size_limit_closes_that_connection()
    {
        var (user, conversationId) = await MemberWithConversationAsync();
        await using var bystander = await Server.ConnectAsync(Users.Unique("bystander"));
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(user));

        await socket.InvokeAsync("SendMessage", $"[\"{conversationId}\",\"big\",\"{new string('x', 100_000)}\"]");

        await socket.ClosedWithAsync();
        await ExpectNodeHealthyAsync(bystander);
        await ExpectNothingWrittenAsync(user, conversationId);
    }

    [Theory]
    [InlineData("\\ud800 lone high surrogate")]
    [InlineData("lone low surrogate \\udc00")]
    public async Task Unpaired_surrogates_are_refused_as_invalid_argument(string escapedContent)
    {
        var (user, conversationId) = await MemberWithConversationAsync();
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(user));

        var error = await socket.CompletionErrorAsync(await socket.InvokeAsync("SendMessage", $"[\"{conversationId}\",\"s1\",\"{escapedContent}\"]"));

        error.Should().MatchRegex("^invalid_argument: .+");
        await ExpectUsableAndUnchangedAsync(socket, conversationId);
    }

    [Theory]
    [InlineData("مرحبا \u202Eevil.exe\u202C")]
    [InlineData("zero\u200Bwidth\u200Djoiner\uFEFF")]
    [InlineData("👩‍👩‍👧‍👦 e\u0301 \U0001F600")]
    [InlineData("'; DROP TABLE \"Messages\"; --")]
    [InlineData("<img src=x onerror=alert(1)><script>alert(2)</script>")]
    [InlineData("{{7*7}} ${7*7} %s %n \0 null byte")]
    public async Task Unusual_text_is_stored_and_returned_verbatim_on_both_protocols(string content)
    {
        foreach (var protocol in new[] { ChatProtocol.Json, ChatProtocol.MessagePack })
        {
            await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
            var conversation = await alice.Hub.CreateConversation("verbatim", []);

            var sent = await alice.Hub.SendMessage(conversation.Id, "v1", content);

            sent.Content.Should().Be(content);
            (await alice.Hub.GetMessages(conversation.Id, 0, 10)).Single().Content.Should().Be(content);
            (await alice.Received.WaitForMessageAsync(conversation.Id, 1)).Content.Should().Be(content);
        }
    }

    [Fact]
    public async Task A_flood_of_ten_thousand_calls_from_one_user_is_rate_limited_and_the_node_stays_healthy()
    {
        var (user, conversationId) = await MemberWithConversationAsync();
        await using var bystander = await Server.ConnectAsync(Users.Unique("bystander"));
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(user));

        var ids = new List<string>();
        for (var i = 0; i < 10_000; i++)
        {
            ids.Add(await socket.InvokeAsync("SendMessage", $"[\"{conversationId}\",\"flood-{i}\",\"flood\"]"));
        }

        var errors = new List<string?>();
        foreach (var id in ids)
        {
            errors.Add(await socket.CompletionErrorAsync(id));
        }

        var accepted = errors.Count(e => e is null);
        accepted.Should().BeInRange(1, 1000, "the burst and the refill pass, the rest is refused");
        errors.Where(e => e is not null).Should().OnlyContain(e => e!.StartsWith("rate_limited: ", StringComparison.Ordinal));
        await ExpectNodeHealthyAsync(bystander);
        await using var scope = Server.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ChatDbContext>().Messages.CountAsync(m => m.ConversationId == conversationId);
        stored.Should().Be(accepted, "exactly the acknowledged sends were written");
    }

    private async Task<(string User, string ConversationId)> MemberWithConversationAsync()
    {
        var user = Users.Unique("raw");
        await using var client = await Server.ConnectAsync(user);
        var conversation = await client.Hub.CreateConversation("bad input", []);
        return (user, conversation.Id);
    }

    private static string ValidArgument(ParameterInfo parameter, string conversationId) => (parameter.Name, parameter.ParameterType) switch
    {
        ("conversationId", _) => JsonSerializer.Serialize(conversationId),
        (_, var t) when t == typeof(string) => JsonSerializer.Serialize($"valid-{parameter.Name}"),
        (_, var t) when t == typeof(IReadOnlyList<string>) => "[\"someone\"]",
        (_, var t) when t == typeof(long) || t == typeof(int) => "1",
        (_, var t) when t == typeof(long?) => "null",
        (_, var t) when t == typeof(bool) => "true",
        (_, var t) when t == typeof(NewMessageDto) => "{\"clientMessageId\":\"valid-k\",\"content\":\"hi\"}",
        _ => throw new NotSupportedException($"No sample for {parameter.ParameterType}."),
    };

    private static string WrongType(Type type) =>
        type == typeof(string) || type == typeof(IReadOnlyList<string>) ? "{\"not\":\"this\"}"
        : type == typeof(NewMessageDto) ? "[\"not\", \"an object\"]"
        : "\"not a number\"";

    private static async Task ExpectUsableAndUnchangedAsync(RawHubSocket socket, string conversationId)
    {
        var (error, result) = await socket.CompletionAsync(await socket.InvokeAsync("GetMessages", $"[\"{conversationId}\",0,10]"));
        error.Should().BeNull("the connection stays usable");
        result.Should().Be("[]", "nothing was half-written");
    }

    private async Task ExpectNothingWrittenAsync(string user, string conversationId)
    {
        await using var client = await Server.ConnectAsync(user);
        (await client.Hub.GetMessages(conversationId, 0, 10)).Should().BeEmpty("nothing was half-written");
    }

    private static async Task ExpectNodeHealthyAsync(TestClient bystander)
    {
        var conversation = await bystander.Hub.CreateConversation("still fine", []);
        (await bystander.Hub.SendMessage(conversation.Id, "ok", "the node still serves others")).Sequence.Should().Be(1);
    }
}
