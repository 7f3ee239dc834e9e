using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Server.Admin;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Admin;

/// <summary>The admin API across three real nodes sharing one Redis.</summary>
[Collection(ClusterTests.Name)]
public sealed class AdminClusterTests(ClusterFixture cluster)
{
    [Fact]
    public async Task The_stats_list_all_three_nodes_with_their_connections_and_show_sends_after_traffic()
    {
        var ids = await NodeIdsAsync();
        await using var alice = await cluster.A.ConnectAsync(Users.Unique("alice"));
        await using var bob = await cluster.B.ConnectAsync(Users.Unique("bob"));
        await using var bobAgain = await cluster.B.ConnectAsync(bob.UserId, ChatProtocol.MessagePack);
        await using var carol = await cluster.C.ConnectAsync(Users.Unique("carol"));
        await using var dave = await cluster.C.ConnectAsync(Users.Unique("dave"));
        using var admin = await cluster.A.HttpClientForAsync(Users.Unique("root"), "admin");

        // Every other test of the cluster has closed its clients, so each node holds exactly this test's.
        await Eventually.HoldsAsync(
            async () => Matches(await AdminApi.StatsAsync(admin), ids, (1, 1), (2, 1), (2, 2)),
            "node A lists the three nodes with 1, 2 and 2 connections of 1, 1 and 2 users");

        var conversation = await carol.Hub.CreateConversation("counted", [alice.UserId, bob.UserId, dave.UserId]);
        for (var i = 0; i < 5; i++)
        {
            await carol.Hub.SendMessage(conversation.Id, $"m{i}", "hello");
        }

        // C's sends reach A's answer through C's report in Redis, not through A's own figures.
        await Eventually.HoldsAsync(
            async () => (await AdminApi.StatsAsync(admin)).Nodes.Single(n => n.NodeId == ids[2]).SendsLastMinute >= 5,
            "node A shows node C's five sends");
        var stats = await AdminApi.StatsAsync(admin);
        stats.AnsweredBy.Should().Be(ids[0]);
        var c = stats.Nodes.Single(n => n.NodeId == ids[2]);
        c.SendsPerSecond.Should().BeGreaterThanOrEqualTo(5 / 60.0);
        c.DeliveriesLastMinute.Should().BeGreaterThanOrEqualTo(5, "C handed its five messages to the members");
        c.Version.Should().NotBeNullOrWhiteSpace();
        c.UptimeSeconds.Should().BePositive();
        stats.Totals.Nodes.Should().Be(3);
        stats.Totals.Connections.Should().Be(stats.Nodes.Sum(n => n.Connections));
        stats.Totals.SendsPerSecond.Should().BeApproximately(stats.Nodes.Sum(n => n.SendsPerSecond), 1e-9);
    }

    [Fact]
    public async Task A_disconnect_closes_the_users_connections_on_two_nodes_and_leaves_other_users_connected()
    {
        var target = Users.Unique("target");
        await using var onA = await TestClient.ConnectAsync(cluster.A.BaseAddress, target, await cluster.A.IssueTokenAsync(target), ChatProtocol.Json, new NoReconnect());
        await using var onB = await TestClient.ConnectAsync(cluster.B.BaseAddress, target, await cluster.B.IssueTokenAsync(target), ChatProtocol.MessagePack, new NoReconnect());
        await using var bystanderOnB = await cluster.B.ConnectAsync(Users.Unique("bystander"));
        await using var bystanderOnC = await cluster.C.ConnectAsync(Users.Unique("bystander"));
        using var admin = await cluster.A.HttpClientForAsync(Users.Unique("root"), "admin");
        await Eventually.HoldsAsync(async () => (await AdminApi.StatsAsync(admin)).Totals.Connections == 4, "the cluster counts the four connections");

        var result = await AdminApi.DisconnectAsync(admin, target);

        result.Should().Be(new DisconnectResult(target, 1), "node A closed its own connection and asked the others to close theirs");
        await Eventually.HoldsAsync(
            () => Task.FromResult(onA.Hub.State == HubConnectionState.Disconnected && onB.Hub.State == HubConnectionState.Disconnected),
            "the user's connections on A and B are closed");
        foreach (var bystander in new[] { bystanderOnB, bystanderOnC })
        {
            bystander.Hub.State.Should().Be(HubConnectionState.Connected);
            (await bystander.Hub.GetConversations()).Should().BeEmpty($"{bystander.UserId}'s connection still works");
        }

        await Eventually.HoldsAsync(async () => (await AdminApi.StatsAsync(admin)).Totals.Connections == 2, "the cluster counts only the bystanders");
        await using var back = await cluster.B.ConnectAsync(target);
        back.Hub.State.Should().Be(HubConnectionState.Connected, "the user may connect again with a valid token");
    }

    [Fact]
    public async Task A_node_that_dies_without_a_goodbye_drops_out_of_the_stats_when_its_report_expires()
    {
        using var admin = await cluster.A.HttpClientForAsync(Users.Unique("root"), "admin");
        await using var extra = await ServerNode.StartAsync("extra", cluster.Settings);
        using var extraAdmin = await extra.HttpClientForAsync(Users.Unique("root"), "admin");
        var extraId = (await AdminApi.StatsAsync(extraAdmin)).AnsweredBy;
        await Eventually.HoldsAsync(async () => (await AdminApi.StatsAsync(admin)).Nodes.Any(n => n.NodeId == extraId), "node A lists the fourth node");

        await extra.KillAsync();

        await Eventually.HoldsAsync(
            async () => (await AdminApi.StatsAsync(admin)) is { Nodes.Count: 3 } stats && stats.Nodes.All(n => n.NodeId != extraId),
            "the killed node's report expires and node A lists three nodes again");
    }

    [Fact]
    public async Task A_caller_without_the_admin_role_is_refused_with_forbidden_on_every_node()
    {
        foreach (var node in cluster.Nodes)
        {
            using var user = await node.HttpClientForAsync(Users.Unique("user"));
            await AdminApi.ExpectRefusedAsync(user, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
        }
    }

    /// <summary>Each node's id, as the node itself answers it.</summary>
    private async Task<IReadOnlyList<string>> NodeIdsAsync()
    {
        var ids = new List<string>();
        foreach (var node in cluster.Nodes)
        {
            using var admin = await node.HttpClientForAsync(Users.Unique("root"), "admin");
            ids.Add((await AdminApi.StatsAsync(admin)).AnsweredBy);
        }

        return ids;
    }

    private static bool Matches(ClusterStats stats, IReadOnlyList<string> ids, params (int Connections, int Users)[] expected) =>
        stats.Nodes.Count == 3
        && ids.Select((id, i) => stats.Nodes.SingleOrDefault(n => n.NodeId == id) is { } node
            && node.Connections == expected[i].Connections && node.UsersOnline == expected[i].Users).All(ok => ok);
}
