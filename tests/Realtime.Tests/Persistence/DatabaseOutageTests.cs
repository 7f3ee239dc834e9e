using System.Net;
using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Persistence;

[Collection(PostgresTests.Name)]
public sealed class DatabaseOutageTests(PostgresFixture postgres)
{
    [Fact]
    public async Task While_postgres_is_down_sends_fail_with_unavailable_and_after_it_returns_the_node_recovers_without_a_restart()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Chat"] = await postgres.Server.CreateDatabaseAsync("outage"),
        });
        await using var alice = await server.ConnectAsync(Users.Unique("alice"));
        var conversation = await alice.Hub.CreateConversation("outage", []);
        await alice.Hub.SendMessage(conversation.Id, "before", "before the outage");

        await postgres.Server.StopAsync();
        try
        {
            var refused = await FluentActions.Awaiting(() => alice.Hub.SendMessage(conversation.Id, "during", "during the outage"))
                .Should().ThrowAsync<HubException>();
            refused.Which.Message.Should().StartWith("unavailable: ");
            using var notReady = await server.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            using var stillLive = await server.Http.GetAsync(new Uri("/health/live", UriKind.Relative));
            stillLive.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        // Pooled connections to the old server fail once each; a client retrying the same send gets through.
        var sent = await RetryUntilAvailableAsync(() => alice.Hub.SendMessage(conversation.Id, "during", "during the outage"));

        sent.Sequence.Should().Be(2, "the refused attempts stored nothing and used no sequence");
        (await alice.Hub.GetMessages(conversation.Id, 0, 10)).Select(m => m.ClientMessageId).Should().Equal("before", "during");
        using var ready = await server.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<MessageDto> RetryUntilAvailableAsync(Func<Task<MessageDto>> send)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await send();
            }
            catch (HubException exception) when (exception.Message.StartsWith("unavailable: ", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                // The next attempt takes a fresh connection from the pool.
            }
        }
    }
}
