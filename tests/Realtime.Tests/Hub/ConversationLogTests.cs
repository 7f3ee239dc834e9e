using Microsoft.AspNetCore.SignalR;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Hub;

/// <summary>Contract v2's conversation log over the hub: edits, deletes, reactions and replies, live and through GetChanges.</summary>
public sealed class ConversationLogTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task Every_member_receives_edits_deletes_and_reactions_once_in_revision_order(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), protocol == ChatProtocol.Json ? ChatProtocol.MessagePack : ChatProtocol.Json);
        var conversation = await alice.Hub.CreateConversation("log", [bob.UserId]);

        var first = await alice.Hub.PostMessage(conversation.Id, new NewMessageDto("p1", "helo"));
        var reply = await bob.Hub.PostMessage(conversation.Id, new NewMessageDto("p2", "hi!", first.Id));
        var edited = await alice.Hub.EditMessage(conversation.Id, first.Id, "hello");
        var reacted = await bob.Hub.React(conversation.Id, first.Id, "👍🏽", true);
        var unchanged = await bob.Hub.React(conversation.Id, first.Id, "👍🏽", true);
        var deleted = await bob.Hub.DeleteMessage(conversation.Id, reply.Id);

        reply.ReplyToMessageId.Should().Be(first.Id);
        edited.Should().BeEquivalentTo(first with { Content = "hello", Revision = 3, EditedAt = edited.EditedAt });
        edited.EditedAt.Should().NotBeNull();
        reacted.Reactions.Should().Equal(new ReactionDto("👍🏽", [bob.UserId]));
        unchanged.Should().Be(reacted, "adding a reaction one already has changes nothing");
        deleted.Should().BeEquivalentTo(reply with { Content = "", Revision = 5, DeletedAt = deleted.DeletedAt, Reactions = [] });

        var expected = new[] { first, reply, edited, reacted, deleted };
        foreach (var member in new[] { alice, bob })
        {
            await member.Received.WaitUntilAsync(r => r.Log(conversation.Id).Count >= expected.Length, $"{member.UserId} receives every change");
            member.Received.Log(conversation.Id).Should().Equal(expected, "each change arrives once, in revision order");
            member.Received.Messages(conversation.Id).Should().Equal(first, reply);
            member.Received.Updates(conversation.Id).Should().Equal(edited, reacted, deleted);
        }

        (await bob.Hub.GetChanges(conversation.Id, 0, 100)).Should().Equal(edited with { Revision = 4, Reactions = reacted.Reactions }, deleted);
        (await alice.Hub.GetMessages(conversation.Id, 0, 100)).Should().Equal(reacted, deleted);
        (await alice.Hub.GetConversations()).Single(c => c.Id == conversation.Id).LastRevision.Should().Be(5);
    }

    [Fact]
    public async Task A_client_that_resyncs_with_GetChanges_after_its_last_revision_ends_with_the_servers_state()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        var bob = Users.Unique("bob");
        var conversation = await alice.Hub.CreateConversation("resync", [bob]);
        var sent = new List<MessageDto>();
        for (var i = 0; i < 6; i++)
        {
            sent.Add(await alice.Hub.SendMessage(conversation.Id, $"r{i}", $"message {i}"));
        }

        // Bob saw everything up to here, then went away.
        await using (var bobBefore = await Server.ConnectAsync(bob))
        {
            var state = (await bobBefore.Hub.GetChanges(conversation.Id, 0, 100)).ToDictionary(m => m.Id);
            var seen = state.Values.Max(m => m.Revision);

            await alice.Hub.EditMessage(conversation.Id, sent[0].Id, "message 0, edited");
            await alice.Hub.React(conversation.Id, sent[1].Id, "🎉", true);
            await alice.Hub.DeleteMessage(conversation.Id, sent[2].Id);
            await alice.Hub.React(conversation.Id, sent[1].Id, "🎉", false);
            sent.Add(await alice.Hub.SendMessage(conversation.Id, "r6", "while bob was away"));

            await using var bobAfter = await Server.ConnectAsync(bob);
            var changes = await bobAfter.Hub.GetChanges(conversation.Id, seen, 100);
            changes.Select(m => m.Revision).Should().BeInAscendingOrder();
            foreach (var change in changes)
            {
                state[change.Id] = change;
            }

            var server = await bobAfter.Hub.GetMessages(conversation.Id, 0, 100);
            state.Values.OrderBy(m => m.Sequence).Should().Equal(server, "applying the changes after the last revision seen gives exactly the server's state");
            server[2].DeletedAt.Should().NotBeNull();
            server[1].Reactions.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Refusals_carry_their_contract_codes_and_change_nothing()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), ChatProtocol.MessagePack);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"));
        await using var mallory = await Server.ConnectAsync(Users.Unique("mallory"));
        var conversation = await alice.Hub.CreateConversation("rules", [bob.UserId]);
        var message = await alice.Hub.SendMessage(conversation.Id, "x1", "alice's");

        async Task Refused(Func<Task> call, string code) =>
            (await call.Should().ThrowAsync<HubException>()).Which.Message.Should().StartWith(code + ": ");

        await Refused(() => bob.Hub.EditMessage(conversation.Id, message.Id, "bob's now"), "forbidden");
        await Refused(() => mallory.Hub.React(conversation.Id, message.Id, "👍", true), "not_a_member");
        await Refused(() => alice.Hub.EditMessage(conversation.Id, message.Id, ""), "invalid_argument");
        await Refused(() => alice.Hub.EditMessage(conversation.Id, message.Id, new string('x', 4001)), "payload_too_large");
        await Refused(() => alice.Hub.React(conversation.Id, message.Id, "a b", true), "invalid_argument");
        await Refused(() => alice.Hub.React(conversation.Id, message.Id, "\u0007", true), "invalid_argument");
        await Refused(() => alice.Hub.React(conversation.Id, message.Id, new string('x', 33), true), "invalid_argument");
        await Refused(() => alice.Hub.DeleteMessage(conversation.Id, "no-such-message"), "not_found");
        await Refused(() => alice.Hub.PostMessage(conversation.Id, new NewMessageDto("x2", "reply", "no-such-message")), "not_found");

        (await alice.Hub.GetChanges(conversation.Id, 0, 10)).Should().Equal(new[] { message }, "nothing was changed");
        (await alice.Hub.GetConversations()).Single().LastRevision.Should().Be(1);
        (await alice.Hub.React(conversation.Id, message.Id, "👨‍👩‍👧", true)).Reactions.Should().Equal(new[] { new ReactionDto("👨‍👩‍👧", [alice.UserId]) }, "joiners are allowed");
    }
}
