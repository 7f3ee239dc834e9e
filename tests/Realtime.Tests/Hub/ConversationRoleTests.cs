using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Hub;

/// <summary>Who may change a conversation's members, roles, title and topic, and delete others' messages (contract v2 §6), read back from the database.</summary>
public sealed class ConversationRoleTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    /// <summary>Every call that needs a role, by every role, in a group and in a direct conversation (where both are plain members).</summary>
    public static TheoryData<string, string, string, string> Rules() => new()
    {
        { "AddMember", "owner", "group", "ok" },
        { "AddMember", "admin", "group", "ok" },
        { "AddMember", "member", "group", "forbidden" },
        { "AddMember", "member", "direct", "forbidden" },
        { "RemoveMember:member", "owner", "group", "ok" },
        { "RemoveMember:member", "admin", "group", "ok" },
        { "RemoveMember:member", "member", "group", "forbidden" },
        { "RemoveMember:member", "member", "direct", "forbidden" },
        { "RemoveMember:admin", "owner", "group", "ok" },
        { "RemoveMember:admin", "admin", "group", "ok" },
        { "RemoveMember:admin", "member", "group", "forbidden" },
        { "RemoveMember:owner", "admin", "group", "forbidden" },
        { "RemoveMember:owner", "member", "group", "forbidden" },
        { "RemoveMember:self", "owner", "group", "ok" },
        { "RemoveMember:self", "admin", "group", "ok" },
        { "RemoveMember:self", "member", "group", "ok" },
        { "RemoveMember:self", "member", "direct", "forbidden" },
        { "SetMemberRole:member", "owner", "group", "ok" },
        { "SetMemberRole:member", "admin", "group", "forbidden" },
        { "SetMemberRole:member", "member", "group", "forbidden" },
        { "SetMemberRole:member", "member", "direct", "forbidden" },
        { "SetMemberRole:admin", "owner", "group", "ok" },
        { "SetMemberRole:admin", "admin", "group", "forbidden" },
        { "SetMemberRole:admin", "member", "group", "forbidden" },
        { "SetMemberRole:self", "owner", "group", "forbidden" },
        { "SetMemberRole:self", "admin", "group", "forbidden" },
        { "SetMemberRole:self", "member", "group", "forbidden" },
        { "SetMemberRole:self", "member", "direct", "forbidden" },
        { "SetMemberRole:owner", "admin", "group", "forbidden" },
        { "SetMemberRole:owner", "member", "group", "forbidden" },
        { "UpdateConversation", "owner", "group", "ok" },
        { "UpdateConversation", "admin", "group", "ok" },
        { "UpdateConversation", "member", "group", "forbidden" },
        { "UpdateConversation", "member", "direct", "ok" },
        { "DeleteMessage:member", "owner", "group", "ok" },
        { "DeleteMessage:member", "admin", "group", "ok" },
        { "DeleteMessage:owner", "admin", "group", "ok" },
        { "DeleteMessage:member", "member", "group", "forbidden" },
        { "DeleteMessage:member", "member", "direct", "forbidden" },
        { "DeleteMessage:self", "member", "group", "ok" },
        { "DeleteMessage:self", "member", "direct", "ok" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Each_call_is_allowed_or_forbidden_by_the_callers_role_and_a_refusal_changes_nothing(string call, string role, string kind, string outcome)
    {
        var people = new Dictionary<string, string>
        {
            ["owner"] = Users.Unique("owner"), ["admin"] = Users.Unique("admin"), ["member"] = Users.Unique("member"),
            ["target-member"] = Users.Unique("tmember"), ["target-admin"] = Users.Unique("tadmin"), ["new"] = Users.Unique("new"),
        };
        await using var owner = await Server.ConnectAsync(people["owner"]);
        string conversationId;
        if (kind == "group")
        {
            conversationId = (await owner.Hub.CreateConversation("roles", [people["admin"], people["member"], people["target-member"], people["target-admin"]])).Id;
            await owner.Hub.SetMemberRole(conversationId, people["admin"], ConversationRoles.Admin);
            await owner.Hub.SetMemberRole(conversationId, people["target-admin"], ConversationRoles.Admin);
        }
        else
        {
            // Both members of a direct conversation are plain members: the "owner" connection is the other one.
            conversationId = (await owner.Hub.OpenDirectConversation(people["member"])).Id;
        }

        var callerId = people[role];
        await using var caller = role == "owner" ? null : await Server.ConnectAsync(callerId, ChatProtocol.MessagePack);
        var hub = (caller ?? owner).Hub;
        var target = call.Split(':') is [_, var who] ? who switch
        {
            "self" => callerId,
            "owner" => people["owner"],
            _ when kind == "direct" => people["owner"],
            _ => people[$"target-{who}"],
        } : people["new"];
        var messageId = call.StartsWith("DeleteMessage", StringComparison.Ordinal) ? await SendAsAsync(target, conversationId) : null;
        var before = await StateAsync(conversationId);

        Func<Task> act = call.Split(':')[0] switch
        {
            "AddMember" => () => hub.AddMember(conversationId, target),
            "RemoveMember" => () => hub.RemoveMember(conversationId, target),
            "SetMemberRole" => () => hub.SetMemberRole(conversationId, target, before.RoleOf(target) == ConversationRoles.Admin ? ConversationRoles.Member : ConversationRoles.Admin),
            "DeleteMessage" => () => hub.DeleteMessage(conversationId, messageId!),
            _ => () => hub.UpdateConversation(conversationId, "renamed", "a topic"),
        };

        if (outcome == "forbidden")
        {
            var refused = await act.Should().ThrowAsync<HubException>();
            refused.Which.Message.Should().StartWith("forbidden: ");
            (await StateAsync(conversationId)).Should().BeEquivalentTo(before, "a refused call changes nothing");
            return;
        }

        await act();
        var after = await StateAsync(conversationId);
        switch (call.Split(':')[0])
        {
            case "AddMember":
                after.RoleOf(target).Should().Be(ConversationRoles.Member);
                break;
            case "RemoveMember":
                after.RoleOf(target).Should().BeNull();
                break;
            case "SetMemberRole":
                after.RoleOf(target).Should().NotBe(before.RoleOf(target)).And.BeOneOf(ConversationRoles.Admin, ConversationRoles.Member);
                break;
            case "DeleteMessage":
                after.Messages.Should().Equal(new StoredMessage(messageId!, target, "", Deleted: true));
                break;
            default:
                (after.Title, after.Topic).Should().Be(("renamed", "a topic"));
                break;
        }

        if (kind == "group")
        {
            after.Members.Count(m => m.Role == ConversationRoles.Owner).Should().Be(1, "a group always has exactly one owner");
        }
    }

    [Fact]
    public async Task An_owner_who_leaves_hands_ownership_to_the_longest_standing_admin_else_the_longest_standing_member()
    {
        // User ids sort against the order of joining, so only the join time can pick the heir.
        await using var owner = await Server.ConnectAsync(Users.Unique("owner"));
        var (firstMember, laterAdmin, latestAdmin) = (Users.Unique("zz-member"), Users.Unique("yy-admin"), Users.Unique("aa-admin"));
        var conversation = await owner.Hub.CreateConversation("succession", []);
        foreach (var user in new[] { firstMember, laterAdmin, latestAdmin })
        {
            await owner.Hub.AddMember(conversation.Id, user);
        }

        await owner.Hub.SetMemberRole(conversation.Id, latestAdmin, ConversationRoles.Admin);
        await owner.Hub.SetMemberRole(conversation.Id, laterAdmin, ConversationRoles.Admin);

        var afterLeaving = await owner.Hub.RemoveMember(conversation.Id, owner.UserId);

        afterLeaving.Members.Should().Equal(
            new MemberDto(latestAdmin, ConversationRoles.Admin), new MemberDto(laterAdmin, ConversationRoles.Owner), new MemberDto(firstMember, ConversationRoles.Member));
        afterLeaving.MemberIds.Should().Equal(afterLeaving.Members.Select(m => m.UserId), "memberIds keeps the order of members");

        await using var heir = await Server.ConnectAsync(laterAdmin);
        await heir.Hub.RemoveMember(conversation.Id, latestAdmin);
        (await heir.Hub.RemoveMember(conversation.Id, laterAdmin)).Members.Should().Equal(new MemberDto(firstMember, ConversationRoles.Owner));
    }

    [Fact]
    public async Task SetMemberRole_takes_admin_or_member_only_and_a_repeated_role_changes_nothing_and_tells_nobody()
    {
        await using var owner = await Server.ConnectAsync(Users.Unique("owner"));
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);
        var conversation = await owner.Hub.CreateConversation("roles", [bob.UserId]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob hears of the conversation");

        foreach (var role in new[] { "owner", "Admin", "", "superuser" })
        {
            (await ErrorTests.ErrorOf(() => owner.Hub.SetMemberRole(conversation.Id, bob.UserId, role))).Should().StartWith("invalid_argument: ", $"'{role}' is no role to give");
        }

        (await ErrorTests.ErrorOf(() => owner.Hub.SetMemberRole(conversation.Id, Users.Unique("stranger"), ConversationRoles.Admin))).Should().StartWith("not_found: ");
        var heard = bob.Received.Of<ConversationDto>().Count;
        var unchanged = await owner.Hub.SetMemberRole(conversation.Id, bob.UserId, ConversationRoles.Member);
        unchanged.Members.Should().Contain(new MemberDto(bob.UserId, ConversationRoles.Member));
        var promoted = await owner.Hub.SetMemberRole(conversation.Id, bob.UserId, ConversationRoles.Admin);

        promoted.Members.Should().Contain(new MemberDto(bob.UserId, ConversationRoles.Admin));
        var told = await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && c.Members.Contains(new MemberDto(bob.UserId, ConversationRoles.Admin)), "bob hears he is an admin");
        bob.Received.Of<ConversationDto>().Skip(heard).Should().Equal([told], "the call that changed nothing sent nothing");
        (await bob.Hub.GetConversations()).Single(c => c.Id == conversation.Id).Members.Should().Equal(promoted.Members);
    }

    [Fact]
    public async Task UpdateConversation_keeps_a_null_title_clears_a_null_topic_and_holds_the_creation_limits()
    {
        await using var owner = await Server.ConnectAsync(Users.Unique("owner"));
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"));
        var conversation = await owner.Hub.CreateConversation("first title", [bob.UserId]);

        var topical = await owner.Hub.UpdateConversation(conversation.Id, null, "  the topic  ");
        (topical.Title, topical.Topic).Should().Be(("first title", "the topic"));
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && c.Topic == "the topic", "bob hears the new topic");
        var renamed = await owner.Hub.UpdateConversation(conversation.Id, "second title", new string('t', 1000));
        (renamed.Title, renamed.Topic).Should().Be(("second title", new string('t', 1000)));
        var cleared = await owner.Hub.UpdateConversation(conversation.Id, null, null);
        (cleared.Title, cleared.Topic).Should().Be(("second title", null));
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && c.Title == "second title" && c.Topic is null, "bob hears the topic cleared");

        (await ErrorTests.ErrorOf(() => owner.Hub.UpdateConversation(conversation.Id, "   ", null))).Should().StartWith("invalid_argument: ");
        (await ErrorTests.ErrorOf(() => owner.Hub.UpdateConversation(conversation.Id, new string('t', 201), null))).Should().StartWith("payload_too_large: ");
        (await ErrorTests.ErrorOf(() => owner.Hub.UpdateConversation(conversation.Id, null, new string('t', 1001)))).Should().StartWith("payload_too_large: ");
        var view = (await bob.Hub.GetConversations()).Single(c => c.Id == conversation.Id);
        (view.Title, view.Topic, view.Kind).Should().Be(("second title", null, ConversationKinds.Group), "refused updates wrote nothing");
    }

    [Fact]
    public async Task A_removed_member_hears_of_the_removal_once_and_of_no_later_change()
    {
        await using var owner = await Server.ConnectAsync(Users.Unique("owner"));
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);
        var conversation = await owner.Hub.CreateConversation("removal", [bob.UserId]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob hears of the conversation");

        await owner.Hub.RemoveMember(conversation.Id, bob.UserId);
        await owner.Hub.UpdateConversation(conversation.Id, "renamed without bob", "private now");
        var barrier = await owner.Hub.OpenDirectConversation(bob.UserId);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == barrier.Id, "bob hears of a later conversation");

        var told = bob.Received.Of<ConversationDto>().Where(c => c.Id == conversation.Id).ToList();
        told.Should().HaveCount(2, "once when added, once when removed");
        told[1].MemberIds.Should().Equal(owner.UserId);
        told[1].Title.Should().Be("removal", "bob hears of the removal, and not of the rename after it");
    }

    private async Task<ConversationState> StateAsync(string conversationId)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var conversation = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversationId);
        var members = await db.Members.AsNoTracking().Where(m => m.ConversationId == conversationId)
            .OrderBy(m => m.UserId).Select(m => new MemberDto(m.UserId, m.Role)).ToListAsync();
        var messages = await db.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId)
            .OrderBy(m => m.Sequence).Select(m => new StoredMessage(m.Id, m.SenderId, m.Content, m.DeletedAt != null)).ToListAsync();
        return new ConversationState(conversation.Title, conversation.Topic, members, messages);
    }

    /// <summary>The message to delete comes from its sender's own connection, so the caller is its sender only in the "self" rows.</summary>
    private async Task<string> SendAsAsync(string senderId, string conversationId)
    {
        await using var sender = await Server.ConnectAsync(senderId);
        return (await sender.Hub.SendMessage(conversationId, Users.Unique("to-delete"), "delete me")).Id;
    }

    private sealed record StoredMessage(string Id, string SenderId, string Content, bool Deleted);

    private sealed record ConversationState(string Title, string? Topic, IReadOnlyList<MemberDto> Members, IReadOnlyList<StoredMessage> Messages)
    {
        public string? RoleOf(string userId) => Members.SingleOrDefault(m => m.UserId == userId)?.Role;
    }
}
