using System.Net;
using System.Net.Http.Json;
using System.Text;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Http;

public sealed class RestApiTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task Conversations_and_messages_over_http_share_the_hub_rules_and_push_to_hub_clients()
    {
        var aliceId = Users.Unique("alice");
        using var alice = await Server.HttpClientForAsync(aliceId);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"));

        using var created = await alice.PostAsJsonAsync("/api/conversations", new CreateConversationRequest("over http", [bob.UserId]));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var conversation = (await created.Content.ReadFromJsonAsync<ConversationDto>())!;
        conversation.MemberIds.Should().BeEquivalentTo([aliceId, bob.UserId]);
        await bob.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, "bob's live connection hears of it");

        using var sent = await alice.PostAsJsonAsync($"/api/conversations/{conversation.Id}/messages", new SendMessageRequest("http-1", "pushed through IHubContext"));
        sent.StatusCode.Should().Be(HttpStatusCode.Created);
        var message = (await sent.Content.ReadFromJsonAsync<MessageDto>())!;
        (await bob.Received.WaitForMessageAsync(conversation.Id, 1)).Should().Be(message);

        using var retried = await alice.PostAsJsonAsync($"/api/conversations/{conversation.Id}/messages", new SendMessageRequest("http-1", "pushed through IHubContext"));
        retried.StatusCode.Should().Be(HttpStatusCode.OK, "a retry returns the original, it creates nothing");
        (await retried.Content.ReadFromJsonAsync<MessageDto>()).Should().Be(message);

        await bob.Hub.SendMessage(conversation.Id, "hub-2", "from the hub");
        var list = await alice.GetFromJsonAsync<List<ConversationDto>>("/api/conversations");
        list.Should().ContainSingle(c => c.Id == conversation.Id).Which.UnreadCount.Should().Be(1);
        (await alice.GetFromJsonAsync<List<MessageDto>>($"/api/conversations/{conversation.Id}/messages?after=1"))!
            .Select(m => m.Sequence).Should().Equal(2);
        (await alice.GetFromJsonAsync<List<MessageDto>>($"/api/conversations/{conversation.Id}/messages?before=2&limit=5"))!
            .Select(m => m.Sequence).Should().Equal(1);
        (await alice.GetFromJsonAsync<List<MessageDto>>($"/api/conversations/{conversation.Id}/messages"))!
            .Select(m => m.Sequence).Should().Equal(1, 2);
    }

    [Fact]
    public async Task Http_errors_are_problem_details_with_the_contract_codes()
    {
        using var alice = await Server.HttpClientForAsync(Users.Unique("alice"));
        using var mallory = await Server.HttpClientForAsync(Users.Unique("mallory"));
        using var created = await alice.PostAsJsonAsync("/api/conversations", new CreateConversationRequest("private", []));
        var conversation = (await created.Content.ReadFromJsonAsync<ConversationDto>())!;

        await ExpectProblem(mallory.GetAsync(new Uri($"/api/conversations/{conversation.Id}/messages", UriKind.Relative)), HttpStatusCode.Forbidden, "not_a_member");
        await ExpectProblem(mallory.PostAsJsonAsync($"/api/conversations/{conversation.Id}/messages", new SendMessageRequest("m", "hi")), HttpStatusCode.Forbidden, "not_a_member");
        await ExpectProblem(alice.GetAsync(new Uri("/api/conversations/unknown-id/messages", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
        await ExpectProblem(alice.PostAsJsonAsync($"/api/conversations/{conversation.Id}/messages", new SendMessageRequest("m", new string('x', 4001))), HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await ExpectProblem(alice.PostAsJsonAsync($"/api/conversations/{conversation.Id}/messages", new SendMessageRequest(null, "hi")), HttpStatusCode.BadRequest, "invalid_argument");
        await ExpectProblem(alice.GetAsync(new Uri($"/api/conversations/{conversation.Id}/messages?after=1&before=3", UriKind.Relative)), HttpStatusCode.BadRequest, "invalid_argument");
        await ExpectProblem(alice.GetAsync(new Uri($"/api/conversations/{conversation.Id}/messages?after=abc", UriKind.Relative)), HttpStatusCode.BadRequest, "invalid_argument");
        using var malformed = new StringContent("{\"title\":", Encoding.UTF8, "application/json");
        await ExpectProblem(alice.PostAsync(new Uri("/api/conversations", UriKind.Relative), malformed), HttpStatusCode.BadRequest, "invalid_argument");

        (await alice.GetFromJsonAsync<List<MessageDto>>($"/api/conversations/{conversation.Id}/messages"))!.Should().BeEmpty("no refused request wrote anything");
    }

    [Fact]
    public async Task Notifications_from_an_admin_or_service_reach_the_targeted_users_the_conversation_or_everyone()
    {
        using var service = await Server.HttpClientForAsync(Users.Unique("svc"), "service");
        using var admin = await Server.HttpClientForAsync(Users.Unique("admin"), "admin");
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"));
        var conversation = await alice.Hub.CreateConversation("announcements", []);

        using var toBob = await service.PostAsJsonAsync("/api/notifications", new NotificationRequest([bob.UserId], null, null, "direct", "For bob", "Only bob", new Dictionary<string, string> { ["ticket"] = "42" }));
        toBob.StatusCode.Should().Be(HttpStatusCode.Accepted);
        using var toConversation = await admin.PostAsJsonAsync("/api/notifications", new NotificationRequest(null, conversation.Id, null, "conversation", "For members", "Alice only", null));
        using var toEveryone = await admin.PostAsJsonAsync("/api/notifications", new NotificationRequest(null, null, true, "announcement", "Maintenance", "Everyone", null));
        toEveryone.StatusCode.Should().Be(HttpStatusCode.Accepted);

        var direct = await bob.Received.WaitForAsync<NotificationDto>(n => n.Kind == "direct", "bob gets his notice");
        direct.Data.Should().Contain("ticket", "42");
        await alice.Received.WaitForAsync<NotificationDto>(n => n.Kind == "conversation", "members get the conversation notice");
        await alice.Received.WaitForAsync<NotificationDto>(n => n.Kind == "announcement", "alice gets the announcement");
        await bob.Received.WaitForAsync<NotificationDto>(n => n.Kind == "announcement", "bob gets the announcement");
        bob.Received.Of<NotificationDto>().Should().NotContain(n => n.Kind == "conversation");
        alice.Received.Of<NotificationDto>().Should().NotContain(n => n.Kind == "direct");

        await ExpectProblem(admin.PostAsJsonAsync("/api/notifications", new NotificationRequest(null, null, null, "k", "t", "b", null)), HttpStatusCode.BadRequest, "invalid_argument");
    }

    [Fact]
    public async Task Health_endpoints_answer_and_readiness_checks_the_database()
    {
        using var live = await Server.Http.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await Server.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        live.StatusCode.Should().Be(HttpStatusCode.OK);
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Fact]
    public async Task Dev_tokens_are_not_served_when_turned_off()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Auth:DevTokens"] = "false" });

        using var response = await server.Http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest("alice"));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    internal static async Task ExpectProblem(Task<HttpResponseMessage> request, HttpStatusCode status, string code)
    {
        using var response = await request;
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        problem!["code"].ToString().Should().Be(code);
    }
}
