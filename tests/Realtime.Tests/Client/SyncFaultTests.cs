using Realtime.Client;
using Realtime.Client.Sync;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Realtime.Tests.Client;

/// <summary>
/// Applications built only on the .NET SDK, on both protocols, chat through nginx in front of three
/// nodes (deploy/local/topology.sh) while a node is killed, Redis is away for 10 s and every node is
/// restarted; each must end holding exactly the server's log of every conversation it is in.
/// </summary>
[Collection(TopologyTests.Name)]
public sealed class SyncFaultTests(ITestOutputHelper output)
{
    private const int Users = 6;
    private static readonly TimeSpan RedisOutage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Sdk_clients_on_both_protocols_hold_exactly_the_servers_log_after_a_node_kill_a_redis_outage_and_a_restart_of_every_node()
    {
        await using var topology = await LocalTopology.StartAsync();
        var users = new List<SyncedUser>();
        try
        {
            for (var i = 0; i < Users; i++)
            {
                users.Add(await SyncedUser.ConnectAsync(topology.Url, Infrastructure.Users.Unique($"sdk{i}"), i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack));
            }

            var members = new Dictionary<string, SyncedUser[]>();
            async Task<ConversationDto> Create(SyncedUser creator, string title, params SyncedUser[] others)
            {
                var conversation = await creator.Sync.Hub.CreateConversation(title, others.Select(u => u.UserId).ToArray());
                members[conversation.Id] = [creator, .. others];
                return conversation;
            }

            var everyone = await Create(users[0], "Everyone in the drill", [.. users.Skip(1)]);
            var odd = await Create(users[1], "Odd ones out", users[3], users[5]);
            await Create(users[2], "Even ones in", users[0], users[4]);
            await Eventually.HoldsAsync(() => Task.FromResult(members.All(m => m.Value.All(u => u.Sync.Positions.ContainsKey(m.Key)))), "every member follows its conversations");

            using var stop = new CancellationTokenSource();
            var chatting = users.Select(u => u.ChatAsync(stop.Token)).ToList();
            await ProgressAsync(users, "the chat is under way");

            await topology.RunAsync("kill-node", "2");
            await ProgressAsync(users, "everyone chats on after node 2 is killed", chatting);
            await topology.RunAsync("start-node", "2");

            await topology.RunAsync("stop-redis");
            // Created while Redis is away: members on other nodes hear of it late, or only from a resync.
            var late = await Create(users[0], "Late joiners club", users[1], users[4]);
            await Task.Delay(RedisOutage);
            await topology.RunAsync("start-redis");
            // At least one message in the conversation the outage saw created, so every member's copy of its log
            // is checked below: the random chat picks it only a few times a run (2 to 6 of some 600 sends).
            await users[0].Sync.SendAsync(late.Id, "after the outage", CancellationToken.None);
            await ProgressAsync(users, "everyone chats on after Redis is back", chatting);

            await users[1].Sync.Hub.RemoveMember(odd.Id, users[5].UserId);
            members[odd.Id] = [users[1], users[3]];
            await topology.RestartNodesAsync();
            await ProgressAsync(users, "everyone chats on after every node restarted", chatting);
            await stop.CancelAsync();
            await Task.WhenAll(chatting);

            var truth = new Dictionary<string, IReadOnlyList<MessageDto>>();
            foreach (var (conversationId, holders) in members)
            {
                truth[conversationId] = await ServerLog.ReadAsync(holders[0].Sync.Hub, conversationId);
                truth[conversationId].Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, truth[conversationId].Count).Select(i => (long)i));
            }

            Report(users, members, truth);
            await Eventually.Async(
                () =>
                {
                    foreach (var (conversationId, holders) in members)
                    {
                        foreach (var user in holders)
                        {
                            user.LogOf(conversationId).Select(ServerLog.State).Should().Equal(
                                truth[conversationId].Select(ServerLog.State), "{0} holds the server's log of {1}: same messages, same order, none twice", user.UserId, conversationId);
                        }
                    }
                },
                TimeSpan.FromSeconds(30));

            truth[late.Id].Should().NotBeEmpty("the conversation created during the outage was chatted in");
            truth[everyone.Id].Count.Should().BeGreaterThan(20);
            truth.Values.SelectMany(log => log).Should().Contain(m => m.EditedAt != null).And.Contain(m => m.DeletedAt != null).And.Contain(m => m.Reactions.Count > 0);
            users.Should().OnlyContain(u => u.Events.OfType<MessageChanged>().Any(), "every user saw changes to messages it held");
            var removed = users[5];
            removed.Events.OfType<ConversationLeft>().Should().ContainSingle(e => e.ConversationId == odd.Id);
            removed.Sync.Positions.Should().NotContainKey(odd.Id);
            removed.LogOf(odd.Id).Select(m => m.Id).Should().Equal(truth[odd.Id].Take(removed.LogOf(odd.Id).Count).Select(m => m.Id), "what it got before it was removed is the log's start");
            foreach (var user in users)
            {
                user.States.Should().ContainInConsecutiveOrder(ConnectionState.Reconnecting, ConnectionState.Resyncing, ConnectionState.Connected);
                user.Sync.State.Should().Be(ConnectionState.Connected);
                user.TokenCalls.Should().BeGreaterThan(1, "the token provider is called again at every reconnect");
            }
        }
        finally
        {
            foreach (var user in users)
            {
                await user.DisposeAsync();
            }
        }
    }

    /// <summary>Waits until every user has had three more sends acknowledged: all of them are back in.</summary>
    private async Task ProgressAsync(List<SyncedUser> users, string because, List<Task>? chatting = null)
    {
        var marks = users.Select(u => u.Acknowledged).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(users.Select((u, i) => u.Acknowledged >= marks[i] + 3).All(x => x)), because, TimeSpan.FromSeconds(60));
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {because}: {clock.ElapsedMilliseconds} ms");
        }
        catch (TimeoutException)
        {
            for (var i = 0; i < users.Count; i++)
            {
                var u = users[i];
                output.WriteLine($"== {u.UserId}: sync {u.Sync.State}, hub {u.Sync.Hub.State} {u.Sync.Hub.Connection.ConnectionId}, acked {marks[i]}->{u.Acknowledged}, chat {chatting?[i].Status} {chatting?[i].Exception}");
                foreach (var line in u.Logs.Lines.TakeLast(40))
                {
                    output.WriteLine(line);
                }
            }

            throw;
        }
    }

    private void Report(List<SyncedUser> users, Dictionary<string, SyncedUser[]> members, Dictionary<string, IReadOnlyList<MessageDto>> truth)
    {
        output.WriteLine($"messages per conversation: {string.Join(", ", truth.Select(t => t.Value.Count))}");
        foreach (var user in users)
        {
            var recovered = user.Events.OfType<MessageEvent>().Count(e => e.Recovered);
            var resyncs = user.Events.OfType<ResyncCompleted>().ToList();
            output.WriteLine($"{user.UserId}: {user.Events.OfType<MessageEvent>().Count()} messages handed on, {recovered} read back, {resyncs.Count} resyncs, {user.TokenCalls} token calls, states {string.Join(">", user.States)}");
        }
    }
}
