using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Realtime.Client;
using Microsoft.Data.Sqlite;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Observability;

public sealed class LoggingTests
{
    private const string Secret = "words-only-the-sender-may-read";

    [Fact]
    public async Task A_client_mistake_is_logged_once_as_information_with_its_code_and_no_stack_trace()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:HubCallBurst"] = "20",
            ["Chat:HubCallsPerSecond"] = "1",
            ["Logging:LogLevel:Realtime.Server.Hubs.ChatHubErrorFilter"] = "Debug",
        });
        await using var alice = await server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await server.ConnectAsync(Users.Unique("bob"));
        await using var flooder = await server.ConnectAsync(Users.Unique("flood"));
        var bobs = await bob.Hub.CreateConversation("bob only", []);

        (await ErrorOf(() => alice.Hub.SendMessage(bobs.Id, "m1", Secret))).Should().StartWith("not_a_member: ");
        (await ErrorOf(() => alice.Hub.SendMessage(bobs.Id, "m2", ""))).Should().StartWith("invalid_argument: ");
        var rateLimited = 0;
        for (var i = 0; i < 25; i++)
        {
            try
            {
                await flooder.Hub.GetConversations();
            }
            catch (HubException exception) when (exception.Message.StartsWith("rate_limited: ", StringComparison.Ordinal))
            {
                rateLimited++;
            }
        }

        var token = await server.IssueTokenAsync(alice.UserId);
        using var http = await server.HttpClientForAsync(alice.UserId);
        using (var refused = await http.PostAsJsonAsync($"/api/conversations/{bobs.Id}/messages", new SendMessageRequest("r1", Secret)))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var malformed = await http.PostAsync(new Uri("/api/conversations", UriKind.Relative), new StringContent("{ not json", Encoding.UTF8, "application/json")))
        {
            malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        var lines = server.Logs.Lines;
        lines.Should().NotContain(line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal), "no call here was the server's fault");
        lines.Should().NotContain(line => line.Contains("   at ", StringComparison.Ordinal), "a refusal carries no stack trace");
        Refusals(lines, "SendMessage", "not_a_member").Should().ContainSingle().Which.Should().StartWith("Information");
        Refusals(lines, "SendMessage", "invalid_argument").Should().ContainSingle().Which.Should().StartWith("Information");
        rateLimited.Should().BeGreaterThan(0);
        Refusals(lines, "GetConversations", "rate_limited").Should().HaveCount(rateLimited, "each refused call is logged once")
            .And.OnlyContain(line => line.StartsWith("Debug", StringComparison.Ordinal), "a flood does not flood the log at the default level");
        Refusals(lines, "/messages", "not_a_member").Should().ContainSingle("a REST refusal is logged too").Which.Should().StartWith("Information");
        Refusals(lines, "/api/conversations", "invalid_argument").Should().ContainSingle();
        lines.Should().NotContain(line => line.Contains(Secret, StringComparison.Ordinal), "message contents are never logged");
        lines.Should().NotContain(line => line.Contains(token.Split('.')[2], StringComparison.Ordinal), "tokens are never logged");
    }

    [Fact]
    public async Task A_connection_over_the_per_user_limit_is_logged_once_as_information_without_a_stack_trace()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Chat:MaxConnectionsPerUser"] = "1" });
        await using var first = await server.ConnectAsync(Users.Unique("alice"));
        var token = await server.IssueTokenAsync(first.UserId);
        await using var second = ChatClient.Create(server.BaseAddress, () => Task.FromResult<string?>(token), reconnectPolicy: new NoReconnect());
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        second.Connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        await second.StartAsync();
        (await closed.Task.WaitAsync(TimeSpan.FromSeconds(15)))!.Message.Should().Contain("rate_limited: ");

        var lines = server.Logs.Lines;
        lines.Should().ContainSingle(line => line.Contains("refused a connection", StringComparison.Ordinal)).Which.Should().StartWith("Information");
        lines.Should().NotContain(line => line.StartsWith("Error", StringComparison.Ordinal), "a refused connection is not the server's fault");
        lines.Should().NotContain(line => line.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_fault_is_still_logged_as_an_error_with_its_exception()
    {
        await using var server = await ChatServer.StartAsync();
        await using var alice = await server.ConnectAsync(Users.Unique("alice"));
        var conversation = await alice.Hub.CreateConversation("locked", []);

        await using (var blocker = new SqliteConnection($"Data Source={server.DatabasePath}"))
        {
            await blocker.OpenAsync();
            await using var writeLock = await blocker.BeginTransactionAsync();
            using (var command = blocker.CreateCommand())
            {
                command.CommandText = "UPDATE \"Conversations\" SET \"Title\" = \"Title\" WHERE 0;";
                await command.ExecuteNonQueryAsync();
            }

            (await ErrorOf(() => alice.Hub.SendMessage(conversation.Id, "blocked", Secret))).Should().StartWith("unavailable: ");
            await writeLock.RollbackAsync();
        }

        server.Logs.Lines.Should().Contain(
            line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("SendMessage", StringComparison.Ordinal) && line.Contains("SqliteException", StringComparison.Ordinal),
            "what the server could not do is an error, with the exception for whoever fixes it");
        server.Logs.Lines.Should().NotContain(line => line.Contains(Secret, StringComparison.Ordinal));
    }

    private static List<string> Refusals(IEnumerable<string> lines, string where, string code) =>
        lines.Where(line => line.Contains("refused", StringComparison.Ordinal) && line.Contains(where, StringComparison.Ordinal) && line.Contains(code, StringComparison.Ordinal)).ToList();

    private sealed class NoReconnect : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => null;
    }

    private static async Task<string> ErrorOf(Func<Task> call)
    {
        var thrown = await FluentActions.Awaiting(call).Should().ThrowAsync<HubException>();
        return thrown.Which.Message;
    }
}
