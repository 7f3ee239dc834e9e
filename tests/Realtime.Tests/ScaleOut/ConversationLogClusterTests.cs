using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.ScaleOut;

/// <summary>The conversation log across three real nodes sharing one Redis and one PostgreSQL database.</summary>
[Collection(ClusterTests.Name)]
public sealed class ConversationLogClusterTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Sends_edits_deletes_and_reactions_made_on_every_node_reach_every_member_in_revision_order_with_no_gap()
    {
        TestClient[] members =
        [
            await cluster.A.ConnectAsync(Users.Unique("alice")),
            await cluster.B.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack),
            await cluster.C.ConnectAsync(Users.Unique("carol")),
        ];
        try
        {
            var conversation = await members[0].Hub.CreateConversation("log on three nodes", [members[1].UserId, members[2].UserId]);
            foreach (var member in members[1..])
            {
                await member.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, $"{member.UserId} joins");
            }

            // Every member, each on its own node, at once: sends, edits its own and reacts to the latest;
            // then each deletes its first message while reacting to another's.
            var own = await Task.WhenAll(members.Select(async (member, m) =>
            {
                var first = "";
                for (var i = 0; i < 4; i++)
                {
                    var sent = await member.Hub.SendMessage(conversation.Id, $"{m}-{i}", $"{member.UserId} {i}");
                    first = i == 0 ? sent.Id : first;
                    await member.Hub.EditMessage(conversation.Id, sent.Id, $"{member.UserId} {i}, edited");
                    var latest = await member.Hub.GetHistory(conversation.Id, null, 3);
                    await Task.WhenAll(latest.Select(x => member.Hub.React(conversation.Id, x.Id, m == 1 ? "🎉" : "👍", true)));
                }

                return first;
            }));
            await Task.WhenAll(members.Select(async (member, m) =>
            {
                await member.Hub.DeleteMessage(conversation.Id, own[m]);
                var others = (await member.Hub.GetMessages(conversation.Id, 0, 100)).Where(x => !own.Contains(x.Id)).ToList();
                await member.Hub.React(conversation.Id, others[m].Id, "❤️", true);
            }));

            var last = (await members[0].Hub.GetConversations()).Single(c => c.Id == conversation.Id).LastRevision;
            var server = await members[0].Hub.GetMessages(conversation.Id, 0, 100);
            foreach (var member in members)
            {
                await member.Received.WaitUntilAsync(r => r.Log(conversation.Id).Count >= last, $"{member.UserId} receives all {last} changes", TimeSpan.FromSeconds(30));
                var log = member.Received.Log(conversation.Id);
                log.Select(x => x.Revision).Should().Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), $"{member.UserId} gets every change once, in revision order, whichever node made it");

                var state = new Dictionary<string, MessageDto>();
                foreach (var change in log)
                {
                    state[change.Id] = change;
                }

                state.Values.OrderBy(x => x.Sequence).Should().Equal(server, $"what {member.UserId} received adds up to the server's state");
            }
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }
}
