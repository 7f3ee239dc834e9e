using System.Net;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Observability;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task On_sigterm_a_node_turns_unready_keeps_serving_through_the_drain_then_closes_connections_and_exits_cleanly()
    {
        var directory = Directory.CreateTempSubdirectory("realtime-shutdown-").FullName;
        await using var node = await ServerNode.StartAsync("draining", new Dictionary<string, string>
        {
            ["ConnectionStrings:Chat"] = $"Data Source={Path.Combine(directory, "chat.db")}",
            ["Shutdown:DrainDelay"] = "00:00:03",
        });
        await using var alice = await node.ConnectAsync(Users.Unique("alice"));
        var conversation = await alice.Hub.CreateConversation("draining", []);
        var lost = new TaskCompletionSource();
        alice.Hub.Connection.Reconnecting += _ => { lost.TrySetResult(); return Task.CompletedTask; };
        alice.Hub.Connection.Closed += _ => { lost.TrySetResult(); return Task.CompletedTask; };

        node.Terminate();
        await Eventually.HoldsAsync(
            async () => (await node.Http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.ServiceUnavailable,
            "readiness fails first", TimeSpan.FromSeconds(3));
        (await node.Http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK, "the process is still alive");
        var duringDrain = await alice.Hub.SendMessage(conversation.Id, "drain", "sent while draining");
        duringDrain.Sequence.Should().Be(1, "connections are still served during the drain");
        lost.Task.IsCompleted.Should().BeFalse("connections stay open until the drain ends");

        await lost.Task.WaitAsync(TimeSpan.FromSeconds(15));
        (await node.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, "a graceful stop exits cleanly");
        Directory.Delete(directory, recursive: true);
    }
}
