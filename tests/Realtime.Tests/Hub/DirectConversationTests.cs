using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Hub;

/// <summary>One direct conversation per pair of users, with two plain members that stay its members (contract v2 §6).</summary>
public sealed class DirectConversationTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task A_direct_conversation_is_one_per_pair_untitled_with_two_plain_members_and_announced_to_both(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), protocol);

        var opened = await alice.Hub.OpenDirectConversation(bob.UserId);

        opened.Kind.Should().Be(ConversationKinds.Direct);
        opened.Title.Should().BeEmpty();
        opened.Topic.Should().BeNull();
        opened.Members.Should().BeEquivalentTo([new MemberDto(alice.UserId, ConversationRoles.Member), new MemberDto(bob.UserId, ConversationRoles.Member)]);
        opened.MemberIds.Should().Equal(opened.Members.Select(m => m.UserId));
        foreach (var user in new[] { alice, bob })
        {
            (await user.Received.WaitForAsync<ConversationDto>(c => c.Id == opened.Id, $"{user.UserId} hears of the direct conversation")).Kind.Should().Be(ConversationKinds.Direct);
        }

        (await bob.Hub.OpenDirectConversation(alice.UserId)).Id.Should().Be(opened.Id, "the pair has one conversation whoever opens it");
        (await alice.Hub.OpenDirectConversation(bob.UserId)).Id.Should().Be(opened.Id);
        var sent = await bob.Hub.SendMessage(opened.Id, "d1", "hello in private");
        await alice.Received.WaitForMessageAsync(opened.Id, sent.Sequence);
        (await alice.Hub.GetConversations()).Where(c => c.Kind == ConversationKinds.Direct).Select(c => c.Id).Should().Equal(opened.Id);
        (await alice.Hub.CreateConversation("a group of the same two", [bob.UserId])).Id.Should().NotBe(opened.Id, "a group is never the direct conversation");
    }

    [Fact]
    public async Task Opening_one_with_oneself_or_a_malformed_id_is_invalid_argument_and_creates_nothing()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));

        foreach (var userId in new[] { alice.UserId, "", "has spaces", "a/b", new string('u', 129), null! })
        {
            (await ErrorTests.ErrorOf(() => alice.Hub.OpenDirectConversation(userId))).Should().StartWith("invalid_argument: ", $"'{userId}' is no one to talk to");
        }

        (await alice.Hub.GetConversations()).Should().BeEmpty();
    }

    [Fact]
    public async Task Nobody_is_added_removed_or_given_a_role_in_a_direct_conversation_and_nobody_leaves_it()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        var bobId = Users.Unique("bob");
        var direct = await alice.Hub.OpenDirectConversation(bobId);

        var refusals = new Dictionary<string, Func<Task>>
        {
            ["add"] = () => alice.Hub.AddMember(direct.Id, Users.Unique("carol")),
            ["remove"] = () => alice.Hub.RemoveMember(direct.Id, bobId),
            ["leave"] = () => alice.Hub.RemoveMember(direct.Id, alice.UserId),
            ["promote"] = () => alice.Hub.SetMemberRole(direct.Id, bobId, ConversationRoles.Admin),
        };
        foreach (var (what, call) in refusals)
        {
            (await ErrorTests.ErrorOf(call)).Should().StartWith("forbidden: ", $"{what} is refused in a direct conversation");
        }

        var topical = await alice.Hub.UpdateConversation(direct.Id, null, "lunch plans");
        topical.Topic.Should().Be("lunch plans", "either member may update a direct conversation");
        topical.Members.Should().BeEquivalentTo(direct.Members, "its two members and their roles are as they were");
    }
}
