using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Samples;

[Collection(ClusterTests.Name)]
public sealed class NotifierTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_process_without_hub_connections_pushes_announcements_notices_and_progress_through_the_backplane()
    {
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var bob = await cluster.B.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);

        await RunNotifierAsync("announce", "--title", "Maintenance", "--body", "at noon");
        await RunNotifierAsync("notify", "--user", bob.UserId, "--title", "For bob", "--body", "your export is ready");
        await RunNotifierAsync("progress", "--user", alice.UserId, "--operation", "upload-1", "--steps", "4", "--delay-ms", "50");

        await alice.Received.WaitForAsync<NotificationDto>(n => n.Kind == "announcement" && n.Title == "Maintenance", "alice gets the announcement");
        await bob.Received.WaitForAsync<NotificationDto>(n => n.Kind == "announcement", "bob gets the announcement");
        var notice = await bob.Received.WaitForAsync<NotificationDto>(n => n.Kind == "notice", "bob gets his notice");
        notice.Body.Should().Be("your export is ready");
        await alice.Received.WaitForAsync<ProgressDto>(p => p.Percent == 100, "alice's job completes");
        alice.Received.Of<ProgressDto>().Select(p => p.Percent).Should().Equal(0, 25, 50, 75, 100);
        alice.Received.Of<ProgressDto>()[^1].Status.Should().Be("completed");
        alice.Received.Of<NotificationDto>().Should().NotContain(n => n.Kind == "notice", "the notice was for bob only");
        bob.Received.Of<ProgressDto>().Should().BeEmpty("progress goes to the owner of the operation only");
    }

    private async Task RunNotifierAsync(params string[] arguments)
    {
        string[] all =
        [
            Infrastructure.Samples.DllOf("notifier", "Realtime.Notifier"),
            .. arguments,
            "--Redis:ConnectionString", cluster.Redis.ConnectionString,
            "--Redis:ChannelPrefix", cluster.Settings["Redis:ChannelPrefix"],
        ];
        await ExternalProcess.RunAsync("dotnet", all);
    }
}
