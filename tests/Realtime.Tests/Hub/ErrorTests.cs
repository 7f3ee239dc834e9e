using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Hub;

public sealed class ErrorTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task A_non_member_is_refused_by_every_conversation_method_and_never_receives(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        await using var mallory = await Server.ConnectAsync(Users.Unique("mallory"), protocol);
        var conversation = await alice.Hub.CreateConversation("private", []);
        var sentinel = await alice.Hub.CreateConversation("sentinel", [mallory.UserId]);
        var id = conversation.Id;

        var calls = new Dictionary<string, Func<Task>>
        {
            ["SendMessage"] = () => mallory.Hub.SendMessage(id, "m1", "let me in"),
            ["GetMessages"] = () => mallory.Hub.GetMessages(id, 0, 10),
            ["GetHistory"] = () => mallory.Hub.GetHistory(id, null, 10),
            ["MarkRead"] = () => mallory.Hub.MarkRead(id, 1),
            ["SetTyping"] = () => mallory.Hub.SetTyping(id, true),
            ["AddMember"] = () => mallory.Hub.AddMember(id, mallory.UserId),
            ["RemoveMember"] = () => mallory.Hub.RemoveMember(id, alice.UserId),
        };
        foreach (var (method, call) in calls)
        {
            (await ErrorOf(call)).Should().StartWith("not_a_member: ", $"{method} is for members only");
        }

        await alice.Hub.SendMessage(id, "secret", "for members only");
        await alice.Hub.SetTyping(id, true);
        await alice.Hub.MarkRead(id, 1);
        var barrier = await alice.Hub.SendMessage(sentinel.Id, "barrier", "sent last");
        await mallory.Received.WaitForMessageAsync(sentinel.Id, barrier.Sequence);

        mallory.Received.All.Should().NotContain(e => e is MessageDto && ((MessageDto)e).ConversationId == id);
        mallory.Received.Of<TypingDto>().Should().BeEmpty();
        mallory.Received.Of<ReadReceiptDto>().Should().NotContain(r => r.ConversationId == id);
        (await mallory.Hub.GetConversations()).Select(c => c.Id).Should().Equal(sentinel.Id);
        (await alice.Hub.GetMessages(id, 0, 10)).Should().ContainSingle("nothing the non-member tried was written");
    }

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task Bad_input_gets_its_code_the_connection_stays_usable_and_nothing_is_written(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        var conversation = await alice.Hub.CreateConversation("bad input", []);
        var id = conversation.Id;

        var cases = new (string Expected, Func<Task> Call)[]
        {
            ("invalid_argument", () => alice.Hub.SendMessage(id, "k1", "")),
            ("invalid_argument", () => alice.Hub.SendMessage(id, "k2", "   ")),
            ("invalid_argument", () => alice.Hub.SendMessage(id, "k3", null!)),
            ("invalid_argument", () => alice.Hub.SendMessage(null!, "k4", "hello")),
            ("invalid_argument", () => alice.Hub.SendMessage(id, null!, "hello")),
            ("invalid_argument", () => alice.Hub.SendMessage("not a valid id!", "k5", "hello")),
            ("invalid_argument", () => alice.Hub.SendMessage(id, new string('k', 129), "hello")),
            ("payload_too_large", () => alice.Hub.SendMessage(id, "k6", new string('x', 4001))),
            ("not_found", () => alice.Hub.SendMessage("no-such-conversation", "k7", "hello")),
            ("invalid_argument", () => alice.Hub.GetMessages(id, -1, 10)),
            ("invalid_argument", () => alice.Hub.GetMessages(id, 0, 0)),
            ("invalid_argument", () => alice.Hub.GetHistory(id, -5, 10)),
            ("invalid_argument", () => alice.Hub.MarkRead(id, -1)),
            ("not_found", () => alice.Hub.MarkRead("no-such-conversation", 1)),
            ("invalid_argument", () => alice.Hub.CreateConversation(null!, [])),
            ("invalid_argument", () => alice.Hub.CreateConversation("ok", null!)),
            ("invalid_argument", () => alice.Hub.CreateConversation("ok", ["bad id with spaces"])),
            ("payload_too_large", () => alice.Hub.CreateConversation(new string('t', 201), [])),
            ("invalid_argument", () => alice.Hub.AddMember(id, null!)),
            ("not_found", () => alice.Hub.RemoveMember(id, "not-a-member-here")),
            ("invalid_argument", () => alice.Hub.GetPresence(null!)),
            ("invalid_argument", () => alice.Hub.GetPresence(["<script>"])),
            ("payload_too_large", () => alice.Hub.GetPresence(Enumerable.Range(0, 501).Select(i => $"u{i}").ToList())),
        };
        foreach (var (expected, call) in cases)
        {
            (await ErrorOf(call)).Should().MatchRegex($"^{expected}: .+");
        }

        alice.Hub.State.Should().Be(HubConnectionState.Connected);
        var ok = await alice.Hub.SendMessage(id, "good", new string('x', 4000));
        ok.Sequence.Should().Be(1, "no failed call consumed a sequence or wrote a message");
        (await alice.Hub.GetMessages(id, 0, 100)).Should().ContainSingle();
        (await alice.Hub.GetConversations()).Should().ContainSingle(c => c.Id == id, "no failed create left a conversation behind");
    }

    [Fact]
    public async Task Page_sizes_are_clamped_to_the_configured_maximum()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        var conversation = await alice.Hub.CreateConversation("pages", []);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => alice.Hub.SendMessage(conversation.Id, $"p{i}", "x")));

        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Chat:MaxPageSize"] = "7" });
        await using var bob = await server.ConnectAsync(Users.Unique("bob"));
        var small = await bob.Hub.CreateConversation("small pages", []);
        for (var i = 0; i < 10; i++)
        {
            await bob.Hub.SendMessage(small.Id, $"q{i}", "x");
        }

        (await bob.Hub.GetMessages(small.Id, 0, int.MaxValue)).Should().HaveCount(7);
        (await alice.Hub.GetMessages(conversation.Id, 0, int.MaxValue)).Should().HaveCount(30);
    }

    [Fact]
    public async Task Connecting_without_a_valid_token_is_refused()
    {
        var noToken = ChatClient.Create(Server.BaseAddress, () => Task.FromResult<string?>(null));
        var wrongKey = ChatClient.Create(Server.BaseAddress, () => Task.FromResult<string?>(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImF1ZCI6InJlYWx0aW1lIiwiaXNzIjoicmVhbHRpbWUtdGVzdCIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmVkLXdpdGgtYW5vdGhlci1rZXk"));
        var garbage = ChatClient.Create(Server.BaseAddress, () => Task.FromResult<string?>("not-a-jwt"));

        foreach (var client in new[] { noToken, wrongKey, garbage })
        {
            await using (client)
            {
                var refused = await FluentActions.Awaiting(() => client.StartAsync()).Should().ThrowAsync<HttpRequestException>();
                refused.Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            }
        }

        using var anonymous = await Server.Http.GetAsync(new Uri("/api/conversations", UriKind.Relative));
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_flood_of_calls_is_refused_with_rate_limited_and_a_retry_hint()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:HubCallBurst"] = "5",
            ["Chat:HubCallsPerSecond"] = "1",
        });
        await using var alice = await server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await server.ConnectAsync(Users.Unique("bob"));

        var errors = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            try
            {
                await alice.Hub.GetConversations();
            }
            catch (HubException exception)
            {
                errors.Add(exception.Message);
            }
        }

        errors.Should().HaveCountGreaterThanOrEqualTo(14).And.OnlyContain(e => e.StartsWith("rate_limited: ", StringComparison.Ordinal) && e.Contains("retry after", StringComparison.Ordinal));
        alice.Hub.State.Should().Be(HubConnectionState.Connected);
        (await bob.Hub.GetConversations()).Should().BeEmpty("one user's flood does not limit another user");
    }

    [Fact]
    public async Task A_database_that_cannot_write_gives_unavailable_and_nothing_is_acknowledged()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Chat"] = "Data Source={directory}/chat.db;Default Timeout=1",
        });
        await using var alice = await server.ConnectAsync(Users.Unique("alice"));
        var conversation = await alice.Hub.CreateConversation("locked", []);

        await using (var blocker = new SqliteConnection($"Data Source={server.DatabasePath}"))
        {
            await blocker.OpenAsync();
            await using var writeLock = await blocker.BeginTransactionAsync();
            using (var command = blocker.CreateCommand())
            {
                // Take the write lock for real: a deferred transaction holds nothing until it writes.
                command.CommandText = "UPDATE \"Conversations\" SET \"Title\" = \"Title\" WHERE 0;";
                await command.ExecuteNonQueryAsync();
            }

            (await ErrorOf(() => alice.Hub.SendMessage(conversation.Id, "blocked", "hello"))).Should().StartWith("unavailable: ");
            await writeLock.RollbackAsync();
        }

        var afterRecovery = await alice.Hub.SendMessage(conversation.Id, "blocked", "hello");
        afterRecovery.Sequence.Should().Be(1, "the failed attempt neither stored the message nor used a sequence");
        server.Logs.Lines.Should().NotContain(line => line.Contains("hello", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Notifications_need_the_admin_or_service_role_and_are_refused_with_forbidden()
    {
        using var plainUser = await Server.HttpClientForAsync(Users.Unique("plain"));
        using var response = await plainUser.PostAsJsonAsync("/api/notifications", new NotificationRequest(null, null, true, "announcement", "Hi", "Everyone", null));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        problem!["code"].ToString().Should().Be("forbidden");
    }

    internal static async Task<string> ErrorOf(Func<Task> call)
    {
        var thrown = await FluentActions.Awaiting(call).Should().ThrowAsync<HubException>();
        return thrown.Which.Message;
    }
}
