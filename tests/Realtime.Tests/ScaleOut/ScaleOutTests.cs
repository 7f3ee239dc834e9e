using Realtime.Server.Hubs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.SignalR;
using System.Net;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Conversations;
using Realtime.Server.Messages;
using Realtime.Tests.Infrastructure;
using Realtime.Server.Errors;

namespace Realtime.Tests.ScaleOut;

/// <summary>The contract across three real nodes sharing one Redis and one PostgreSQL database.</summary>
[Collection(ClusterTests.Name)]
public sealed class ScaleOutTests(ClusterFixture cluster)
{
    private const string GapsCounter = "realtime_delivery_gaps_total";

    [Fact]
    public async Task Members_on_three_nodes_and_both_protocols_receive_every_message_in_sequence_order()
    {
        await using var chat = await OneMemberPerNodeAsync("three nodes");
        var (conversation, members) = (chat.Conversation, chat.Members);
        for (var i = 0; i < 9; i++)
        {
            await members[i % 3].Hub.SendMessage(conversation.Id, $"x{i}", $"from {members[i % 3].UserId}");
        }

        foreach (var member in members)
        {
            await member.Received.WaitUntilAsync(r => r.Messages(conversation.Id).Count == 9, $"{member.UserId} receives all nine");
            member.Received.Messages(conversation.Id).Select(m => m.Sequence).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
    }

    [Fact]
    public async Task A_message_that_reaches_a_node_ahead_of_an_earlier_one_waits_for_it()
    {
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var bob = await cluster.B.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);
        var conversation = await alice.Hub.CreateConversation("reversed", [bob.UserId]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob on B joins");

        // Another node committed two messages, and its two publishes reach the others in reverse.
        var stored = await StoreAsync(
            new NewMessage(Ids.NewId(), conversation.Id, alice.UserId, "r1", "first"),
            new NewMessage(Ids.NewId(), conversation.Id, alice.UserId, "r2", "second"));
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        await PublishAsOtherNodeAsync(redis, stored[1]);
        await PublishAsOtherNodeAsync(redis, stored[0]);

        foreach (var member in new[] { alice, bob })
        {
            await member.Received.WaitUntilAsync(r => r.Messages(conversation.Id).Count == 2, $"{member.UserId} receives both");
            member.Received.Messages(conversation.Id).Select(m => m.Sequence).Should().Equal(1, 2);
        }
    }

    [Fact]
    public async Task A_message_whose_publish_was_lost_reaches_every_node_from_the_database_before_the_next_one()
    {
        await using var chat = await OneMemberPerNodeAsync("lost publish");
        var (conversation, alice, carol) = (chat.Conversation, chat.Members[0], chat.Members[2]);

        var readBack = await Task.WhenAll(cluster.Nodes.Select(node => node.CounterAsync(GapsCounter, "read_back")));

        // A node committed this one and died before publishing it.
        var lost = await StoreAsync(new NewMessage(Ids.NewId(), conversation.Id, carol.UserId, "lost", "never published"));
        var next = await alice.Hub.SendMessage(conversation.Id, "next", "after the lost one");

        next.Sequence.Should().Be(2);
        foreach (var member in chat.Members)
        {
            await member.Received.WaitUntilAsync(r => r.Messages(conversation.Id).Count == 2, $"{member.UserId} receives the lost one and the next");
            member.Received.Messages(conversation.Id).Select(m => m.Id).Should().Equal(lost[0].Id, next.Id);
        }

        // Operators see each node's read back: what held the next message there.
        for (var i = 0; i < cluster.Nodes.Count; i++)
        {
            var node = cluster.Nodes[i];
            var before = readBack[i];
            await Eventually.HoldsAsync(async () => await node.CounterAsync(GapsCounter, "read_back") > before, $"node {node.Name} counts the gap it read back");
        }
    }

    [Fact]
    public async Task A_gap_wider_than_a_node_reads_back_is_passed_over_and_delivery_carries_on()
    {
        await using var narrow = await ServerNode.StartAsync("narrow", new Dictionary<string, string>(cluster.Settings) { ["Chat:MaxDeliveryGapFill"] = "1" });
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var bob = await narrow.ConnectAsync(Users.Unique("bob"));
        // The client is connected once the handshake completes, while a cold node may still be joining
        // bob's groups; a call runs only after that, so the conversation below is created once he is set up.
        await bob.Hub.GetConversations();
        var conversation = await alice.Hub.CreateConversation("wide gap", [bob.UserId]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob joins");
        // The narrow node subscribes to the conversation's channel after bob joins; a first message that reaches
        // bob shows it listens, so the gap below is the only thing this test measures.
        var first = await alice.Hub.SendMessage(conversation.Id, "w0", "before the gap");
        await bob.Received.WaitForMessageAsync(conversation.Id, first.Sequence);

        await StoreAsync(
            new NewMessage(Ids.NewId(), conversation.Id, alice.UserId, "w1", "never published"),
            new NewMessage(Ids.NewId(), conversation.Id, alice.UserId, "w2", "never published either"));
        var next = await alice.Hub.SendMessage(conversation.Id, "w3", "after the gap");

        await bob.Received.WaitForMessageAsync(conversation.Id, next.Sequence);
        bob.Received.Messages(conversation.Id).Select(m => m.Sequence).Should().Equal([1, 4], "two missing messages are more than bob's node reads back");
        await Eventually.HoldsAsync(async () => await narrow.CounterAsync(GapsCounter, "passed_over") == 1, "the narrow node counts the gap it passed over");
        (await bob.Hub.GetMessages(conversation.Id, 0, 10)).Select(m => m.Sequence).Should().Equal(1, 2, 3, 4);
        await alice.Received.WaitUntilAsync(r => r.Messages(conversation.Id).Count == 4, "alice's node reads the gap back");
        alice.Received.Messages(conversation.Id).Select(m => m.Sequence).Should().Equal(1, 2, 3, 4);
    }

    /// <summary>Alice on A, Bob on B (MessagePack) and Carol on C, in a conversation Alice created that both have joined.</summary>
    private async Task<OneMemberPerNode> OneMemberPerNodeAsync(string title)
    {
        TestClient[] members =
        [
            await cluster.A.ConnectAsync(Users.Unique("alice")),
            await cluster.B.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack),
            await cluster.C.ConnectAsync(Users.Unique("carol")),
        ];
        var conversation = await members[0].Hub.CreateConversation(title, [members[1].UserId, members[2].UserId]);
        foreach (var member in members[1..])
        {
            await member.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, $"{member.UserId} joins");
        }

        return new OneMemberPerNode(conversation, members);
    }

    private sealed record OneMemberPerNode(ConversationDto Conversation, TestClient[] Members) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var member in Members)
            {
                await member.DisposeAsync();
            }
        }
    }

    private async Task<List<Message>> StoreAsync(params NewMessage[] sends)
    {
        var options = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<ChatDbContext>();
        ChatDatabase.Configure(options, DatabaseProvider.PostgreSql, cluster.Settings["ConnectionStrings:Chat"]);
        await using var db = new ChatDbContext(options.Options);
        var stored = await MessageLog.AppendAsync(db, sends, DateTime.UtcNow, CancellationToken.None);
        stored.Should().HaveCount(sends.Length);
        return stored;
    }

    /// <summary>Publishes as a node the cluster does not know would: its id, a line break, then the batch as JSON.</summary>
    private static Task<long> PublishAsOtherNodeAsync(StackExchange.Redis.ConnectionMultiplexer redis, Message message)
    {
        var batch = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new[] { Realtime.Server.Delivery.LogEntry.Created(MessageViews.Created(message)) }, System.Text.Json.JsonSerializerOptions.Web);
        return redis.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal($"cluster-test:messages:{message.ConversationId}"), (byte[])[.. "another-node\n"u8, .. batch]);
    }

    [Fact]
    public async Task A_member_added_on_node_A_receives_on_nodes_B_and_C_without_reconnecting()
    {
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var daveOnC = await cluster.C.ConnectAsync(Users.Unique("dave"), ChatProtocol.MessagePack);
        await using var daveOnB = await cluster.B.ConnectAsync(daveOnC.UserId);
        var conversation = await alice.Hub.CreateConversation("added later", []);

        await alice.Hub.AddMember(conversation.Id, daveOnC.UserId);
        await daveOnC.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "dave on C hears he was added");
        await daveOnB.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "dave on B hears he was added");
        var sent = await alice.Hub.SendMessage(conversation.Id, "welcome", "welcome dave");

        await daveOnC.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
        await daveOnB.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
        var reply = await daveOnC.Hub.SendMessage(conversation.Id, "thanks", "thanks");
        await alice.Received.WaitForMessageAsync(conversation.Id, reply.Sequence);
    }

    [Fact]
    public async Task A_member_removed_on_node_A_stops_receiving_on_every_node()
    {
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var erinOnB = await cluster.B.ConnectAsync(Users.Unique("erin"));
        await using var erinOnC = await cluster.C.ConnectAsync(erinOnB.UserId, ChatProtocol.MessagePack);
        var conversation = await alice.Hub.CreateConversation("removal", [erinOnB.UserId]);
        var sentinel = await alice.Hub.CreateConversation("sentinel", [erinOnB.UserId]);
        await erinOnC.Received.WaitForAsync<ConversationDto>(c => c.Id == sentinel.Id, "erin on C is in both conversations");

        await alice.Hub.RemoveMember(conversation.Id, erinOnB.UserId);
        foreach (var tab in new[] { erinOnB, erinOnC })
        {
            await tab.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && !c.MemberIds.Contains(tab.UserId), "erin hears she was removed");
        }

        await alice.Hub.SendMessage(conversation.Id, "secret", "erin must not see this");
        var barrier = await alice.Hub.SendMessage(sentinel.Id, "barrier", "sent after the secret");
        foreach (var tab in new[] { erinOnB, erinOnC })
        {
            await tab.Received.WaitForMessageAsync(sentinel.Id, barrier.Sequence);
            tab.Received.Messages(conversation.Id).Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Messages_cross_redis_once_on_their_conversation_channel_and_never_through_the_conversation_group()
    {
        // Nine members, three on each node, so every node has several sends in flight at once.
        TestClient[] members = await Task.WhenAll(Enumerable.Range(0, 9).Select(i =>
            cluster.Nodes[i % 3].ConnectAsync(Users.Unique($"m{i}"), i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack)));
        try
        {
            await SendInBatchesAsync(members);
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    private async Task SendInBatchesAsync(TestClient[] members)
    {
        var conversation = await members[0].Hub.CreateConversation("batched", [.. members.Skip(1).Select(m => m.UserId)]);
        foreach (var member in members.Skip(1))
        {
            await member.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, $"{member.UserId} joins");
        }

        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var batchedIds = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var groupPublishes = 0;
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(StackExchange.Redis.RedisChannel.Literal($"cluster-test:messages:{conversation.Id}"), (_, payload) =>
        {
            // The publishing node's id, a line break, then the batch as JSON.
            var frame = (byte[])payload!;
            using var batch = System.Text.Json.JsonDocument.Parse(frame.AsMemory(Array.IndexOf(frame, (byte)'\n') + 1));
            foreach (var message in batch.RootElement.EnumerateArray().Select(e => e.GetProperty("message")).Where(m => m.GetProperty("conversationId").GetString() == conversation.Id))
            {
                batchedIds.Enqueue(message.GetProperty("id").GetString()!);
            }
        });
        await subscriber.SubscribeAsync(StackExchange.Redis.RedisChannel.Pattern($"cluster-test:*:group:*{conversation.Id}"), (_, _) => Interlocked.Increment(ref groupPublishes));

        var sent = await Task.WhenAll(members.SelectMany(m => Enumerable.Range(0, 5).Select(i => m.Hub.SendMessage(conversation.Id, $"b{i}", "batched"))));

        foreach (var member in members)
        {
            await member.Received.WaitUntilAsync(r => r.Messages(conversation.Id).Count == sent.Length, $"{member.UserId} receives all {sent.Length}");
            var received = member.Received.Messages(conversation.Id);
            received.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, sent.Length).Select(i => (long)i), "each message arrives once, in order, whichever node committed it");
        }

        await Eventually.HoldsAsync(() => Task.FromResult(batchedIds.Count >= sent.Length), "every message crosses Redis on its conversation's channel");
        batchedIds.Should().BeEquivalentTo(sent.Select(m => m.Id), "each message crosses once");
        Volatile.Read(ref groupPublishes).Should().Be(0, "no message goes through the conversation's group channel");

        // The group channel is still the way for everything else, which shows the test watches the right channel.
        await members[1].Hub.MarkRead(conversation.Id, sent.Length);
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref groupPublishes) == 1), "the read receipt goes through the group channel");
    }

    [Fact]
    public async Task Typing_and_read_receipts_cross_nodes()
    {
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"), ChatProtocol.MessagePack);
        await using var aliceOnC = await cluster.C.ConnectAsync(alice.UserId);
        await using var bob = await cluster.B.ConnectAsync(Users.Unique("bob"));
        var conversation = await alice.Hub.CreateConversation("signals", [bob.UserId]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob joins");
        await aliceOnC.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "alice's other tab joins");

        await alice.Hub.SetTyping(conversation.Id, true);
        await bob.Received.WaitForAsync<TypingDto>(t => t.UserId == alice.UserId && t.IsTyping, "bob on B sees alice typing on A");
        var sent = await alice.Hub.SendMessage(conversation.Id, "m1", "hello");
        await bob.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
        await bob.Hub.MarkRead(conversation.Id, sent.Sequence);

        var receipt = await alice.Received.WaitForAsync<ReadReceiptDto>(r => r.UserId == bob.UserId, "alice on A sees bob's receipt");
        receipt.LastReadSequence.Should().Be(sent.Sequence);
        await aliceOnC.Received.WaitForAsync<ReadReceiptDto>(r => r.UserId == bob.UserId, "alice on C sees it too");
        aliceOnC.Received.Of<TypingDto>().Should().BeEmpty("the typer's own connections on other nodes are excluded");
    }

    [Fact]
    public async Task A_user_on_two_nodes_is_online_until_the_last_connection_anywhere_closes()
    {
        await using var watcher = await cluster.A.ConnectAsync(Users.Unique("watcher"));
        var frank = Users.Unique("frank");
        await watcher.Hub.CreateConversation("presence", [frank]);

        var onB = await cluster.B.ConnectAsync(frank);
        await watcher.Received.WaitForAsync<PresenceDto>(p => p.UserId == frank && p.IsOnline, "frank comes online");
        var onC = await cluster.C.ConnectAsync(frank, ChatProtocol.MessagePack);
        (await watcher.Hub.GetPresence([frank])).Single().IsOnline.Should().BeTrue();

        await onB.DisposeAsync();
        await using (var probe = await cluster.C.ConnectAsync(Users.Unique("probe")))
        {
            (await probe.Hub.GetPresence([frank])).Single().IsOnline.Should().BeTrue("frank is still connected to C");
        }

        await onC.DisposeAsync();
        await watcher.Received.WaitForAsync<PresenceDto>(p => p.UserId == frank && !p.IsOnline, "frank goes offline");
        watcher.Received.Of<PresenceDto>().Where(p => p.UserId == frank).Select(p => p.IsOnline)
            .Should().Equal([true, false], "one online and one offline, cluster-wide");
    }

    [Fact]
    public async Task A_node_killed_without_a_goodbye_has_its_users_shown_offline_within_thirty_seconds()
    {
        await using var doomed = await ServerNode.StartAsync("D", cluster.Settings);
        await using var watcher = await cluster.A.ConnectAsync(Users.Unique("watcher"));
        var gone = Users.Unique("gone");
        var stays = Users.Unique("stays");
        await watcher.Hub.CreateConversation("node death", [gone, stays]);
        var goneClient = await doomed.ConnectAsync(gone);
        var staysOnDoomed = await doomed.ConnectAsync(stays);
        await using var staysOnB = await cluster.B.ConnectAsync(stays);
        await watcher.Received.WaitForAsync<PresenceDto>(p => p.UserId == gone && p.IsOnline, "gone comes online on D");

        var killedAt = DateTime.UtcNow;
        await doomed.KillAsync();
        await watcher.Received.WaitForAsync<PresenceDto>(p => p.UserId == gone && !p.IsOnline, "D's user is shown offline", TimeSpan.FromSeconds(30));

        (DateTime.UtcNow - killedAt).Should().BeLessThan(TimeSpan.FromSeconds(30));
        var presence = (await watcher.Hub.GetPresence([gone, stays])).ToDictionary(p => p.UserId, p => p.IsOnline);
        presence.Should().Equal(new Dictionary<string, bool> { [gone] = false, [stays] = true });
        watcher.Received.Of<PresenceDto>().Should().NotContain(p => p.UserId == stays && !p.IsOnline, "a user still connected elsewhere stays online");
        await goneClient.DisposeAsync();
        await staysOnDoomed.DisposeAsync();
    }

    [Fact]
    public async Task Ten_concurrent_senders_on_each_of_three_nodes_leave_every_client_with_exactly_one_to_n_after_resync()
    {
        const int sendersPerNode = 10;
        const int messagesEach = 10;
        var clients = new List<TestClient>();
        foreach (var (node, n) in cluster.Nodes.Select((node, n) => (node, n)))
        {
            for (var i = 0; i < sendersPerNode; i++)
            {
                clients.Add(await node.ConnectAsync(Users.Unique($"n{n}s{i}"), i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack));
            }
        }

        try
        {
            var conversation = await clients[0].Hub.CreateConversation("stampede", clients.Skip(1).Select(c => c.UserId).ToList());
            foreach (var client in clients)
            {
                await client.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, $"{client.UserId} joins");
            }

            await Task.WhenAll(clients.Select(async client =>
            {
                for (var i = 0; i < messagesEach; i++)
                {
                    await client.Hub.SendMessage(conversation.Id, $"{client.UserId}-{i}", $"{i}");
                }
            }));

            const int total = sendersPerNode * messagesEach * 3;
            foreach (var client in clients)
            {
                client.Received.Messages(conversation.Id).Select(m => m.Id).Should().OnlyHaveUniqueItems("no message is delivered twice");
                var held = await client.ResyncAsync(conversation.Id);
                held.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, total).Select(i => (long)i), $"{client.UserId} holds the whole log once");
            }
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
    public async Task Presence_for_many_users_is_one_round_trip_to_redis()
    {
        await using var asker = await cluster.B.ConnectAsync(Users.Unique("asker"));
        var users = Enumerable.Range(0, 100).Select(i => Users.Unique($"p{i}")).ToList();
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{cluster.Redis.ConnectionString},allowAdmin=true");
        var server = redis.GetServer(cluster.Redis.ConnectionString);

        // Heartbeats and sweeps also run scripts now and then, so look for one quiet window.
        var scriptCallsPerQuery = new List<long>();
        for (var attempt = 0; attempt < 5 && !scriptCallsPerQuery.Contains(1); attempt++)
        {
            var before = await ScriptCallsAsync(server);
            (await asker.Hub.GetPresence(users)).Should().HaveCount(100).And.OnlyContain(p => !p.IsOnline);
            scriptCallsPerQuery.Add(await ScriptCallsAsync(server) - before);
        }

        scriptCallsPerQuery.Should().Contain(1, "asking about 100 users is a single script call");
    }

    private static readonly string[] ScriptCommands = ["cmdstat_eval", "cmdstat_evalsha"];

    private static async Task<long> ScriptCallsAsync(StackExchange.Redis.IServer server)
    {
        var stats = (await server.InfoAsync("commandstats")).SelectMany(group => group).ToDictionary(pair => pair.Key, pair => pair.Value);
        return ScriptCommands.Sum(key => stats.TryGetValue(key, out var value) ? long.Parse(value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture) : 0);
    }
}
