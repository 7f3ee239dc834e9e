using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Admin;

/// <summary>The admin API on one node without Redis: the cluster is that node.</summary>
public sealed class AdminSingleNodeTests
{
    [Fact]
    public async Task On_one_node_the_stats_list_that_node_alone_with_its_connections_users_and_sends()
    {
        await using var server = await ChatServer.StartAsync();
        using var admin = await server.HttpClientForAsync(Users.Unique("root"), "admin");
        var idle = await AdminApi.StatsAsync(admin);
        idle.Nodes.Should().ContainSingle().Which.NodeId.Should().Be(idle.AnsweredBy);

        await using var alice = await server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await server.ConnectAsync(Users.Unique("bob"));
        await using var bobAgain = await server.ConnectAsync(bob.UserId);
        var conversation = await alice.Hub.CreateConversation("counted", [bob.UserId]);
        for (var i = 0; i < 3; i++)
        {
            await alice.Hub.SendMessage(conversation.Id, $"m{i}", "hello");
        }

        await Eventually.HoldsAsync(async () => (await AdminApi.StatsAsync(admin)).Nodes.Single().Connections == 3, "the node counts three connections");
        var stats = await AdminApi.StatsAsync(admin);
        var node = stats.Nodes.Should().ContainSingle().Subject;
        node.NodeId.Should().Be(stats.AnsweredBy);
        node.Version.Should().NotBeNullOrWhiteSpace();
        node.UptimeSeconds.Should().BePositive();
        node.UsersOnline.Should().Be(2, "bob's two connections are one user");
        node.SendsLastMinute.Should().Be(3);
        node.SendsPerSecond.Should().BeApproximately(3 / 60.0, 1e-9);
        node.DeliveriesLastMinute.Should().BeGreaterThanOrEqualTo(3, "each message was handed to its members");
        stats.Totals.Should().BeEquivalentTo(new { Nodes = 1, Connections = 3, UsersOnline = 2, node.SendsPerSecond, node.DeliveriesPerSecond });
    }

    [Fact]
    public async Task On_one_node_a_disconnect_closes_every_connection_of_that_user_and_no_other()
    {
        await using var server = await ChatServer.StartAsync();
        using var admin = await server.HttpClientForAsync(Users.Unique("root"), "admin");
        var target = Users.Unique("target");
        await using var first = await TestClient.ConnectAsync(server.BaseAddress, target, await server.IssueTokenAsync(target), ChatProtocol.Json, new NoReconnect());
        await using var second = await TestClient.ConnectAsync(server.BaseAddress, target, await server.IssueTokenAsync(target), ChatProtocol.MessagePack, new NoReconnect());
        await using var bystander = await server.ConnectAsync(Users.Unique("bystander"));
        await Eventually.HoldsAsync(async () => (await AdminApi.StatsAsync(admin)).Nodes.Single().Connections == 3, "all three connections are counted");

        var result = await AdminApi.DisconnectAsync(admin, target);

        result.Should().Be(new Server.Admin.DisconnectResult(target, 2));
        await Eventually.HoldsAsync(() => Task.FromResult(first.Hub.State == HubConnectionState.Disconnected && second.Hub.State == HubConnectionState.Disconnected), "both of the user's connections are closed");
        bystander.Hub.State.Should().Be(HubConnectionState.Connected);
        (await bystander.Hub.GetConversations()).Should().BeEmpty("the other user's connection still works");
        await using var back = await server.ConnectAsync(target);
        back.Hub.State.Should().Be(HubConnectionState.Connected, "a disconnected user may connect again with a valid token");
    }

    [Fact]
    public async Task A_caller_without_the_admin_role_is_refused_with_forbidden_and_one_without_a_token_with_401()
    {
        await using var server = await ChatServer.StartAsync();
        using var user = await server.HttpClientForAsync(Users.Unique("user"));
        using var service = await server.HttpClientForAsync(Users.Unique("notifier"), "service");

        await AdminApi.ExpectRefusedAsync(user, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
        await AdminApi.ExpectRefusedAsync(service, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
        await AdminApi.ExpectRefusedAsync(server.Http, HttpStatusCode.Unauthorized, code: null);
    }

    [Fact]
    public async Task A_disconnect_of_a_malformed_user_id_is_refused_with_invalid_argument()
    {
        await using var server = await ChatServer.StartAsync();
        using var admin = await server.HttpClientForAsync(Users.Unique("root"), "admin");

        using var response = await admin.PostAsync(new Uri("/api/admin/users/bad%20id/disconnect", UriKind.Relative), content: null);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(ChatErrorCodes.InvalidArgument);
    }

    [Fact]
    public async Task The_service_refuses_to_start_when_a_nodes_figures_would_expire_before_its_next_report()
    {
        var start = () => ChatServer.StartAsync(new Dictionary<string, string?> { ["Admin:StatsInterval"] = "00:00:10", ["Admin:StatsTimeToLive"] = "00:00:15" });

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("Admin:StatsTimeToLive");
    }
}
