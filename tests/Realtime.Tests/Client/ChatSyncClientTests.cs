using Realtime.Client;
using Realtime.Client.Sync;
using Realtime.Contracts;
using Realtime.Tests.Admin;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Client;

/// <summary>The .NET SDK's sync layer against one real server: what an application sees after time away.</summary>
public sealed class ChatSyncClientTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task A_user_kept_away_gets_what_it_missed_and_the_changes_to_what_it_held_joins_what_it_was_added_to_and_stops_following_what_it_was_removed_from(ChatProtocol protocol)
    {
        var server = fixture.Server;
        var away = new TokenGate();
        await using var alice = await SyncedUser.ConnectAsync(server.BaseAddress, Users.Unique("alice"), protocol, away.PassAsync);
        await using var bob = await server.ConnectAsync(Users.Unique("bob"), protocol);
        var kept = await bob.Hub.CreateConversation("Kept all along", [alice.UserId]);
        var dropped = await bob.Hub.CreateConversation("Dropped while away", [alice.UserId]);
        var before = await bob.Hub.SendMessage(kept.Id, "before", "before the drop");
        await Eventually.Async(() => alice.LogOf(kept.Id).Should().ContainSingle());
        alice.Sync.Positions.Should().ContainKey(dropped.Id);

        // The connection drops and the token provider holds the reconnect until the test lets it through.
        var tokenCallsBefore = alice.TokenCalls;
        away.Close();
        using var admin = await server.HttpClientForAsync(Users.Unique("root"), "admin");
        await AdminApi.DisconnectAsync(admin, alice.UserId);
        await Eventually.Async(() => alice.Sync.State.Should().Be(ConnectionState.Reconnecting));
        var whileAway = new List<MessageDto>();
        for (var i = 0; i < 5; i++)
        {
            whileAway.Add(await bob.Hub.SendMessage(kept.Id, $"away-{i}", $"while away {i}"));
        }

        await bob.Hub.EditMessage(kept.Id, before.Id, "before the drop, edited while away");
        await bob.Hub.EditMessage(kept.Id, whileAway[1].Id, "while away 1, edited");
        await bob.Hub.React(kept.Id, whileAway[2].Id, "👍", add: true);
        await bob.Hub.DeleteMessage(kept.Id, whileAway[3].Id);

        await bob.Hub.RemoveMember(dropped.Id, alice.UserId);
        await bob.Hub.SendMessage(dropped.Id, "after-removal", "not for alice");
        var added = await bob.Hub.CreateConversation("Added while away", [alice.UserId]);
        for (var i = 0; i < 3; i++)
        {
            await bob.Hub.SendMessage(added.Id, $"new-{i}", $"in the new one {i}");
        }

        away.Open();
        await Eventually.Async(() => alice.Events.OfType<ResyncCompleted>().Should().HaveCount(2, "the first sync and the reconnect's"), TimeSpan.FromSeconds(30));
        await Eventually.Async(() => alice.Sync.State.Should().Be(ConnectionState.Connected));

        alice.LogOf(kept.Id).Select(ServerLog.State).Should().Equal((await ServerLog.ReadAsync(bob.Hub, kept.Id)).Select(ServerLog.State));
        alice.LogOf(kept.Id).Select(m => m.Content).Should().Equal(
            "before the drop, edited while away", "while away 0", "while away 1, edited", "while away 2", string.Empty, "while away 4");
        alice.Events.OfType<MessageChanged>().Should().ContainSingle().Which.Message.Content.Should().Be("before the drop, edited while away");
        alice.LogOf(added.Id).Select(m => m.Content).Should().Equal("in the new one 0", "in the new one 1", "in the new one 2");
        alice.LogOf(dropped.Id).Should().BeEmpty();
        alice.Events.OfType<ConversationJoined>().Select(e => e.Conversation.Id).Should().Contain(added.Id);
        alice.Events.OfType<ConversationLeft>().Select(e => e.ConversationId).Should().Equal(dropped.Id);
        alice.Sync.Positions.Keys.Should().BeEquivalentTo([kept.Id, added.Id]);
        alice.Events.OfType<MessageEvent>().Where(e => e.Message.ConversationId == kept.Id).Skip(1).Should().OnlyContain(e => e.Recovered, "they were read back");
        alice.States.Should().ContainInConsecutiveOrder(ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Resyncing, ConnectionState.Connected);
        alice.TokenCalls.Should().BeGreaterThan(tokenCallsBefore, "the reconnect asked for a token again");
        alice.Events.OfType<ResyncCompleted>().Last().Messages.Should().Be(9, "one edit of a message it held, five new messages in one conversation, three in another");
    }

    [Fact]
    public async Task Positions_from_a_previous_run_resume_each_conversation_without_handing_anything_on_twice()
    {
        var server = fixture.Server;
        var userId = Users.Unique("carol");
        await using var dave = await server.ConnectAsync(Users.Unique("dave"));
        var conversation = await dave.Hub.CreateConversation("Resumed after a restart", [userId]);
        IReadOnlyDictionary<string, SyncPosition> positions;
        await using (var first = await SyncedUser.ConnectAsync(server.BaseAddress, userId, ChatProtocol.Json))
        {
            for (var i = 0; i < 3; i++)
            {
                await first.Sync.SendAsync(conversation.Id, $"first run {i}");
            }

            await Eventually.Async(() => first.LogOf(conversation.Id).Should().HaveCount(3));
            positions = first.Sync.Positions;
        }

        await dave.Hub.SendMessage(conversation.Id, "gap-1", "while the app was closed");
        await using var second = await SyncedUser.ConnectAsync(server.BaseAddress, userId, ChatProtocol.MessagePack, positions: positions);
        await dave.Hub.SendMessage(conversation.Id, "live-1", "once it is back");

        await Eventually.Async(() => second.LogOf(conversation.Id).Select(m => m.Content).Should().Equal("while the app was closed", "once it is back"));
        positions[conversation.Id].Should().Be(new SyncPosition(3, 3));
    }

    [Fact]
    public void Options_out_of_range_are_refused_when_the_client_is_created()
    {
        var create = (ChatSyncOptions options) => ChatSyncClient.Create(fixture.Server.BaseAddress, _ => ValueTask.FromResult<string?>(null), options);

        create.Invoking(c => c(new ChatSyncOptions { PageSize = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        create.Invoking(c => c(new ChatSyncOptions { MaxConcurrentReads = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        create.Invoking(c => c(new ChatSyncOptions { MaxReconnectDelay = TimeSpan.Zero })).Should().Throw<ArgumentOutOfRangeException>();
        create.Invoking(c => c(new ChatSyncOptions { Positions = new Dictionary<string, SyncPosition> { ["c"] = new(-1, 0) } })).Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>Holds every token request while closed: the user stays away until it opens.</summary>
    private sealed class TokenGate
    {
        private TaskCompletionSource _open = Opened();

        public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async ValueTask PassAsync(CancellationToken cancellationToken) => await _open.Task.WaitAsync(cancellationToken);

        private static TaskCompletionSource Opened()
        {
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            source.SetResult();
            return source;
        }
    }
}
