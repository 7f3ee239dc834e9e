using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Server.Errors;
using Realtime.Server.Hubs;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.ScaleOut;

/// <summary>What crosses Redis to which node: a conversation reaches only the nodes with its members, and group changes reach the connection's own node.</summary>
[Collection(ClusterTests.Name)]
public sealed class RoutingTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_node_reads_a_conversation_from_redis_only_while_it_has_members_of_it()
    {
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var server = redis.GetServer(cluster.Redis.ConnectionString);
        var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var bob = await cluster.B.ConnectAsync(Users.Unique("bob"));
        var conversation = await alice.Hub.CreateConversation("routed", [bob.UserId]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob joins");
        var channel = StackExchange.Redis.RedisChannel.Literal($"cluster-test:messages:{conversation.Id}");
        async Task<long> Readers() => (long)(await server.ExecuteAsync("PUBSUB", "NUMSUB", (string)channel!))[1];

        await Eventually.HoldsAsync(async () => await Readers() == 2, "nodes A and B read the conversation, C does not");

        await alice.DisposeAsync();
        await Eventually.HoldsAsync(async () => await Readers() == 1, "node A stops reading once its last member is gone");
        var sent = await bob.Hub.SendMessage(conversation.Id, "still", "only B reads this");
        await bob.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
    }

    [Fact]
    public async Task A_group_change_made_on_one_node_for_a_connection_on_another_takes_effect_there()
    {
        await using var pusher = await ChatServer.StartAsync(cluster.Settings.ToDictionary(pair => pair.Key, pair => (string?)pair.Value));
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var bob = await cluster.B.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);
        var conversation = await alice.Hub.CreateConversation("pushed in", []);
        var bobs = await alice.Hub.CreateConversation("bob's barrier", [bob.UserId]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == bobs.Id, "bob joins his own");
        var groups = pusher.Services.GetRequiredService<IHubContext<ChatHub, IChatClient>>().Groups;

        // Server code on a node that holds neither connection puts bob's into the group, then takes it out.
        await groups.AddToGroupAsync(bob.Hub.Connection.ConnectionId!, ChatGroups.Conversation(conversation.Id));
        await Eventually.HoldsAsync(async () =>
        {
            var sent = await alice.Hub.SendMessage(conversation.Id, Ids.NewId(), "while bob is in");
            await Task.WhenAny(bob.Received.WaitForMessageAsync(conversation.Id, sent.Sequence), Task.Delay(500));
            return bob.Received.Messages(conversation.Id).Count > 0;
        }, "bob's connection on B is in the group");

        await groups.RemoveFromGroupAsync(bob.Hub.Connection.ConnectionId!, ChatGroups.Conversation(conversation.Id));
        await Eventually.HoldsAsync(async () =>
        {
            var before = bob.Received.Messages(conversation.Id).Count;
            await alice.Hub.SendMessage(conversation.Id, Ids.NewId(), "after bob is out");
            var barrier = await alice.Hub.SendMessage(bobs.Id, Ids.NewId(), "barrier");
            await bob.Received.WaitForMessageAsync(bobs.Id, barrier.Sequence);
            return bob.Received.Messages(conversation.Id).Count == before;
        }, "bob's connection on B has left the group");
    }
}
