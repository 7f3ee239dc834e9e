using System.Net;
using System.Net.Http.Json;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;
using static Realtime.Tests.Http.RestApiTests;

namespace Realtime.Tests.Http;

/// <summary>The contract v2 conversation routes: the same services and rules as the hub calls, pushed to hub clients.</summary>
public sealed class ConversationRoutesTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task Post_direct_opens_the_pairs_one_conversation_and_the_routes_return_kind_topic_and_roles()
    {
        var aliceId = Users.Unique("alice");
        using var alice = await Server.HttpClientForAsync(aliceId);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"));

        using var opened = await alice.PostAsJsonAsync("/api/conversations/direct", new OpenDirectConversationRequest(bob.UserId));
        opened.StatusCode.Should().Be(HttpStatusCode.OK);
        var direct = (await opened.Content.ReadFromJsonAsync<ConversationDto>())!;
        (direct.Kind, direct.Title).Should().Be((ConversationKinds.Direct, ""));
        direct.Members.Should().OnlyContain(m => m.Role == ConversationRoles.Member).And.HaveCount(2);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == direct.Id, "bob's live connection hears of it");
        (await bob.Hub.OpenDirectConversation(aliceId)).Id.Should().Be(direct.Id, "the hub and the route open the same conversation");

        await ExpectProblem(alice.PostAsJsonAsync("/api/conversations/direct", new OpenDirectConversationRequest(aliceId)), HttpStatusCode.BadRequest, "invalid_argument");
        await ExpectProblem(alice.PostAsJsonAsync("/api/conversations/direct", new OpenDirectConversationRequest(null)), HttpStatusCode.BadRequest, "invalid_argument");
        var listed = await alice.GetFromJsonAsync<List<ConversationDto>>("/api/conversations");
        listed.Should().ContainSingle().Which.Should().BeEquivalentTo(direct, o => o.Excluding(c => c.UnreadCount).Excluding(c => c.LastReadSequence));
    }

    [Fact]
    public async Task Patch_updates_title_and_topic_for_an_owner_or_admin_and_receipts_list_every_members_watermarks()
    {
        var aliceId = Users.Unique("alice");
        using var alice = await Server.HttpClientForAsync(aliceId);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"));
        using var created = await alice.PostAsJsonAsync("/api/conversations", new CreateConversationRequest("over http", [bob.UserId]));
        var conversation = (await created.Content.ReadFromJsonAsync<ConversationDto>())!;
        conversation.Members.Should().Contain([new MemberDto(aliceId, ConversationRoles.Owner), new MemberDto(bob.UserId, ConversationRoles.Member)]);

        using var patched = await alice.PatchAsJsonAsync($"/api/conversations/{conversation.Id}", new UpdateConversationRequest(null, "a topic"));
        patched.StatusCode.Should().Be(HttpStatusCode.OK);
        var updated = (await patched.Content.ReadFromJsonAsync<ConversationDto>())!;
        (updated.Title, updated.Topic).Should().Be(("over http", "a topic"));
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id && c.Topic == "a topic", "bob hears the topic");
        using var bobHttp = await Server.HttpClientForAsync(bob.UserId);
        await ExpectProblem(bobHttp.PatchAsJsonAsync($"/api/conversations/{conversation.Id}", new UpdateConversationRequest("mine now", null)), HttpStatusCode.Forbidden, "forbidden");
        await ExpectProblem(alice.PatchAsJsonAsync($"/api/conversations/{conversation.Id}", new UpdateConversationRequest(null, new string('t', 1001))), HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        await bob.Hub.SendMessage(conversation.Id, "r1", "hello");
        await bob.Hub.MarkDelivered(conversation.Id, 1);
        var receipts = await alice.GetFromJsonAsync<List<ReadReceiptDto>>($"/api/conversations/{conversation.Id}/receipts");
        receipts!.Select(r => (r.UserId, r.LastReadSequence, r.LastDeliveredSequence)).Should().Equal((bob.UserId, 0L, 1L));
        using var mallory = await Server.HttpClientForAsync(Users.Unique("mallory"));
        await ExpectProblem(mallory.GetAsync(new Uri($"/api/conversations/{conversation.Id}/receipts", UriKind.Relative)), HttpStatusCode.Forbidden, "not_a_member");
    }
}
