using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.ScaleOut;

/// <summary>Direct conversations, roles and receipts across three real nodes on one Redis and one PostgreSQL database.</summary>
[Collection(ClusterTests.Name)]
public sealed class ConversationClusterTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Twenty_concurrent_opens_from_both_users_on_three_nodes_return_one_direct_conversation()
    {
        var (aliceId, bobId) = (Users.Unique("alice"), Users.Unique("bob"));
        var connections = new List<TestClient>();
        try
        {
            foreach (var node in cluster.Nodes)
            {
                connections.Add(await node.ConnectAsync(aliceId));
                connections.Add(await node.ConnectAsync(bobId, ChatProtocol.MessagePack));
            }

            // Everything is connected first, then every call starts at once.
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = Enumerable.Range(0, 20).Select(async i =>
            {
                await start.Task;
                var client = connections[i % connections.Count];
                return await client.Hub.OpenDirectConversation(client.UserId == aliceId ? bobId : aliceId);
            }).ToList();
            start.SetResult();
            var opened = await Task.WhenAll(calls);

            opened.Select(c => c.Id).Distinct().Should().ContainSingle("the database keeps one conversation per pair");
            var direct = opened[0];
            direct.Kind.Should().Be(ConversationKinds.Direct);
            direct.Members.Should().BeEquivalentTo([new MemberDto(aliceId, ConversationRoles.Member), new MemberDto(bobId, ConversationRoles.Member)]);
            foreach (var connection in connections)
            {
                await connection.Received.WaitForAsync<ConversationDto>(c => c.Id == direct.Id, $"{connection.UserId} hears of it on every node");
                (await connection.Hub.GetConversations()).Where(c => c.Kind == ConversationKinds.Direct).Select(c => c.Id).Should().Equal(direct.Id);
            }

            var sent = await connections[5].Hub.SendMessage(direct.Id, "hi", "one conversation, every node");
            foreach (var connection in connections)
            {
                await connection.Received.WaitForMessageAsync(direct.Id, sent.Sequence);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Role_topic_and_membership_changes_and_delivered_ticks_reach_the_members_on_every_node()
    {
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var bob = await cluster.B.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);
        await using var carol = await cluster.C.ConnectAsync(Users.Unique("carol"));
        var conversation = await alice.Hub.CreateConversation("across nodes", [bob.UserId, carol.UserId]);
        await carol.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "carol on C hears of it");

        await alice.Hub.SetMemberRole(conversation.Id, bob.UserId, ConversationRoles.Admin);
        await carol.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && c.Members.Contains(new MemberDto(bob.UserId, ConversationRoles.Admin)), "carol on C sees bob made admin on A");
        await bob.Hub.UpdateConversation(conversation.Id, null, "planning");
        await alice.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && c.Topic == "planning", "alice on A sees the topic bob set on B");

        var sent = await alice.Hub.SendMessage(conversation.Id, "m1", "hello");
        await carol.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
        await carol.Hub.MarkDelivered(conversation.Id, sent.Sequence);
        await alice.Received.WaitForAsync<ReadReceiptDto>(r => r.UserId == carol.UserId && r.LastDeliveredSequence == 1, "alice on A sees carol's delivered tick from C");
        (await bob.Hub.GetReceipts(conversation.Id)).Select(r => (r.UserId, r.LastDeliveredSequence)).Should().Equal((carol.UserId, 1L));

        await bob.Hub.RemoveMember(conversation.Id, carol.UserId);
        var removed = await carol.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && !c.MemberIds.Contains(carol.UserId), "carol on C hears an admin on B removed her");
        removed.Members.Should().BeEquivalentTo([new MemberDto(alice.UserId, ConversationRoles.Owner), new MemberDto(bob.UserId, ConversationRoles.Admin)]);
        await alice.Hub.RemoveMember(conversation.Id, alice.UserId);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && c.Members.SequenceEqual(new[] { new MemberDto(bob.UserId, ConversationRoles.Owner) }), "bob on B inherits the ownership alice left on A");
    }
}
