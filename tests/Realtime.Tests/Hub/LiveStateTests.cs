using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Hub;

/// <summary>Typing, presence and live membership: state that lives in connections rather than in the database.</summary>
public sealed class LiveStateTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task Typing_goes_to_the_other_members_only_and_the_server_clears_it_on_send(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        await using var aliceSecondTab = await Server.ConnectAsync(alice.UserId, protocol);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), protocol);
        var conversation = await alice.Hub.CreateConversation("typing", [bob.UserId]);

        await alice.Hub.SetTyping(conversation.Id, true);
        await bob.Received.WaitForAsync<TypingDto>(t => t.UserId == alice.UserId && t.IsTyping, "bob sees alice typing");

        var sent = await alice.Hub.SendMessage(conversation.Id, "t1", "done typing");
        await bob.Received.WaitForAsync<TypingDto>(t => t.UserId == alice.UserId && !t.IsTyping, "the server clears alice's typing on send");

        // Messages arrive after the typing events sent before them, so both of alice's tabs have seen everything by now.
        await alice.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
        await aliceSecondTab.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
        alice.Received.Of<TypingDto>().Should().BeEmpty();
        aliceSecondTab.Received.Of<TypingDto>().Should().BeEmpty();
    }

    [Fact]
    public async Task The_server_clears_typing_when_the_typing_connection_goes_away()
    {
        var alice = await Server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"));
        var conversation = await alice.Hub.CreateConversation("typing-disconnect", [bob.UserId]);

        await alice.Hub.SetTyping(conversation.Id, true);
        await bob.Received.WaitForAsync<TypingDto>(t => t.IsTyping, "bob sees alice typing");
        await alice.DisposeAsync();

        await bob.Received.WaitForAsync<TypingDto>(t => t.UserId == alice.UserId && !t.IsTyping, "the server clears typing on disconnect");
    }

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task A_user_with_two_tabs_goes_offline_only_after_both_close(ChatProtocol protocol)
    {
        await using var watcher = await Server.ConnectAsync(Users.Unique("watcher"), protocol);
        var carol = Users.Unique("carol");
        await watcher.Hub.CreateConversation("presence", [carol]);

        var firstTab = await Server.ConnectAsync(carol, protocol);
        var online = await watcher.Received.WaitForAsync<PresenceDto>(p => p.UserId == carol && p.IsOnline, "carol comes online");
        online.LastSeenAt.Should().NotBeNull();
        var secondTab = await Server.ConnectAsync(carol, protocol);
        (await watcher.Hub.GetPresence([carol])).Single().IsOnline.Should().BeTrue();

        await firstTab.DisposeAsync();
        (await watcher.Hub.GetPresence([carol])).Single().IsOnline.Should().BeTrue("carol still has a tab open");

        await secondTab.DisposeAsync();
        var offline = await watcher.Received.WaitForAsync<PresenceDto>(p => p.UserId == carol && !p.IsOnline, "carol goes offline");
        offline.LastSeenAt.Should().BeOnOrAfter(online.LastSeenAt!.Value);
        watcher.Received.Of<PresenceDto>().Where(p => p.UserId == carol).Select(p => p.IsOnline)
            .Should().Equal([true, false], "presence changes once per transition, not once per connection");

        var presence = (await watcher.Hub.GetPresence([carol, "never-seen-user"])).ToDictionary(p => p.UserId);
        presence[carol].Should().BeEquivalentTo(new { IsOnline = false, LastSeenAt = offline.LastSeenAt });
        presence["never-seen-user"].Should().BeEquivalentTo(new { IsOnline = false, LastSeenAt = (DateTime?)null });
    }

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task Presence_changes_gathered_together_reach_a_member_each_once_and_in_the_order_they_happened(ChatProtocol protocol)
    {
        await using var watcher = await Server.ConnectAsync(Users.Unique("watcher"), protocol);
        var others = Enumerable.Range(0, 8).Select(i => Users.Unique($"arrival{i}")).ToList();
        await watcher.Hub.CreateConversation("arrivals", others);

        // Arrivals and departures close together land in the same fan-out windows: each member's frames are
        // written together, and a departure must never overtake its arrival.
        var connections = await Task.WhenAll(others.Select(user => Server.ConnectAsync(user, protocol)));
        await Task.WhenAll(connections.Select(connection => connection.DisposeAsync().AsTask()));

        foreach (var user in others)
        {
            await watcher.Received.WaitForAsync<PresenceDto>(p => p.UserId == user && !p.IsOnline, $"{user} goes offline");
        }

        foreach (var user in others)
        {
            watcher.Received.Of<PresenceDto>().Where(p => p.UserId == user).Select(p => p.IsOnline)
                .Should().Equal([true, false], $"{user} came online once and then went offline once");
        }
    }

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task Creating_a_conversation_joins_every_live_connection_of_every_member_at_once(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        await using var bobTab1 = await Server.ConnectAsync(Users.Unique("bob"), protocol);
        await using var bobTab2 = await Server.ConnectAsync(bobTab1.UserId, protocol);

        var conversation = await alice.Hub.CreateConversation("created live", [bobTab1.UserId]);
        foreach (var tab in new[] { bobTab1, bobTab2 })
        {
            var update = await tab.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob's tab hears of the conversation");
            update.MemberIds.Should().BeEquivalentTo([alice.UserId, bobTab1.UserId]);
        }

        var sent = await alice.Hub.SendMessage(conversation.Id, "c1", "no reconnect needed");
        await bobTab1.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
        await bobTab2.Received.WaitForMessageAsync(conversation.Id, sent.Sequence);
    }

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task An_added_member_receives_at_once_and_a_removed_member_stops_receiving_at_once(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        await using var dave = await Server.ConnectAsync(Users.Unique("dave"), protocol);
        var conversation = await alice.Hub.CreateConversation("membership", []);
        var sentinel = await alice.Hub.CreateConversation("sentinel", [dave.UserId]);
        await alice.Hub.SendMessage(conversation.Id, "before-add", "dave is not here yet");

        var added = await alice.Hub.AddMember(conversation.Id, dave.UserId);
        added.MemberIds.Should().Contain(dave.UserId);
        var davesView = await dave.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "dave hears he was added");
        davesView.UnreadCount.Should().Be(0, "a new member starts with nothing unread");
        var whileMember = await alice.Hub.SendMessage(conversation.Id, "while-member", "dave receives this");
        await dave.Received.WaitForMessageAsync(conversation.Id, whileMember.Sequence);
        (await dave.Hub.GetMessages(conversation.Id, 0, 10)).Should().HaveCount(2, "a member can read the history");

        await alice.Hub.RemoveMember(conversation.Id, dave.UserId);
        await dave.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && !c.MemberIds.Contains(dave.UserId), "dave hears he was removed");
        await alice.Hub.SendMessage(conversation.Id, "after-remove", "dave must not receive this");
        var barrier = await alice.Hub.SendMessage(sentinel.Id, "barrier", "sent after the removal");
        await dave.Received.WaitForMessageAsync(sentinel.Id, barrier.Sequence);

        dave.Received.Messages(conversation.Id).Select(m => m.ClientMessageId).Should().Equal("while-member");
        var refused = await FluentActions.Awaiting(() => dave.Hub.GetMessages(conversation.Id, 0, 10)).Should().ThrowAsync<Microsoft.AspNetCore.SignalR.HubException>();
        refused.Which.Message.Should().StartWith("not_a_member: ");
    }

    [Fact]
    public async Task A_member_can_leave_on_their_own()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        await using var erin = await Server.ConnectAsync(Users.Unique("erin"));
        var conversation = await alice.Hub.CreateConversation("leaving", [erin.UserId]);

        var afterLeaving = await erin.Hub.RemoveMember(conversation.Id, erin.UserId);

        afterLeaving.MemberIds.Should().Equal(alice.UserId);
        (await erin.Hub.GetConversations()).Should().NotContain(c => c.Id == conversation.Id);
        await alice.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && c.MemberIds.Count == 1, "alice hears erin left");
    }
}
