using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Server.Errors;
using Realtime.Server.Hubs;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.ScaleOut;

/// <summary>Three nodes while their Redis is away and when it comes back.</summary>
[Collection(ClusterTests.Name)]
public sealed class RedisOutageTests(ClusterFixture cluster)
{
    [Fact]
    public async Task While_redis_is_down_nodes_accept_connections_on_both_protocols_and_deliver_locally_and_when_it_returns_the_other_nodes_catch_up_in_order_without_asking()
    {
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var bob = await cluster.B.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);
        await using var carol = await cluster.C.ConnectAsync(Users.Unique("carol"));
        var (dave, erin) = (Users.Unique("dave"), Users.Unique("erin"));
        var conversation = await alice.Hub.CreateConversation("redis outage", [bob.UserId, dave, erin]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob joins");
        var acknowledged = new List<MessageDto> { await alice.Hub.SendMessage(conversation.Id, "before", "before") };

        await cluster.Redis.StopAsync();
        await using var newcomers = new Clients();
        TestClient daveOnA, erinOnA;
        try
        {
            // New clients get in on either protocol, and the node's own members hear each other live.
            daveOnA = newcomers.Add(await cluster.A.ConnectAsync(dave));
            erinOnA = newcomers.Add(await cluster.A.ConnectAsync(erin, ChatProtocol.MessagePack));
            foreach (var newcomer in new[] { daveOnA, erinOnA })
            {
                // A call is answered only once the connection has joined its conversations.
                (await newcomer.Hub.GetConversations()).Should().Contain(c => c.Id == conversation.Id);
            }

            var outageEnds = DateTime.UtcNow.AddSeconds(6);
            var i = 0;
            while (DateTime.UtcNow < outageEnds)
            {
                var sender = (i % 3) switch { 0 => alice, 1 => bob, _ => daveOnA };
                acknowledged.Add(await sender.Hub.SendMessage(conversation.Id, $"during-{i++}", "during the outage"));
                await Task.Delay(200);
            }

            var sentOnA = acknowledged.Skip(1).Where(m => m.SenderId != bob.UserId).Select(m => m.Id).ToList();
            foreach (var member in new[] { daveOnA, erinOnA })
            {
                await member.Received.WaitUntilAsync(r => sentOnA.All(id => r.Messages(conversation.Id).Any(m => m.Id == id)), $"{member.UserId} hears node A's sends live");
            }

            (await alice.Hub.GetMessages(conversation.Id, 0, 200)).Should().HaveCount(acknowledged.Count, "the node keeps persisting");
            using var degraded = await cluster.A.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            degraded.StatusCode.Should().Be(HttpStatusCode.OK, "a node without Redis still serves its own connections");
            (await degraded.Content.ReadAsStringAsync()).Should().Be("Degraded");
        }
        finally
        {
            await cluster.Redis.StartAgainAsync();
        }

        // Nobody asks: each node reads back what it missed and delivers it in order, once.
        var expected = acknowledged.OrderBy(m => m.Sequence).Select(m => m.Id).ToList();
        foreach (var member in new[] { alice, bob })
        {
            await member.Received.WaitUntilAsync(r => r.Messages(conversation.Id).Count >= expected.Count, $"{member.UserId} catches up live");
            member.Received.Messages(conversation.Id).Select(m => m.Id).Should().Equal(expected, $"{member.UserId} gets every message in order, once");
        }

        foreach (var node in cluster.Nodes)
        {
            await Eventually.HoldsAsync(
                async () => await (await node.Http.GetAsync(new Uri("/health/ready", UriKind.Relative))).Content.ReadAsStringAsync() == "Healthy",
                $"node {node.Name} is healthy again");
        }

        await using var probe = await cluster.C.ConnectAsync(Users.Unique("probe"));
        await Eventually.HoldsAsync(
            async () => (await probe.Hub.GetPresence([alice.UserId, bob.UserId, carol.UserId])).All(p => p.IsOnline),
            "presence is rebuilt from every node's own connections");

        var after = await alice.Hub.SendMessage(conversation.Id, "after", "after the outage");
        await bob.Received.WaitForMessageAsync(conversation.Id, after.Sequence);

        // The clients that connected during the outage are on SignalR's backplane again, without reconnecting.
        await bob.Hub.MarkRead(conversation.Id, after.Sequence);
        foreach (var member in new[] { daveOnA, erinOnA })
        {
            await member.Received.WaitForAsync<ReadReceiptDto>(r => r.UserId == bob.UserId && r.LastReadSequence == after.Sequence, $"{member.UserId} hears bob's receipt from node B");
            member.Hub.State.Should().Be(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected);
        }
    }

    /// <summary>Clients made inside a block that must outlive it, disposed at the end of the test.</summary>
    private sealed class Clients : IAsyncDisposable
    {
        private readonly List<TestClient> _clients = [];

        public TestClient Add(TestClient client)
        {
            _clients.Add(client);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
            {
                await client.DisposeAsync();
            }
        }
    }


}
