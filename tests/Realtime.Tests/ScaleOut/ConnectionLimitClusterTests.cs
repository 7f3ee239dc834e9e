using Microsoft.AspNetCore.SignalR.Client;
using Realtime.Client;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.ScaleOut;

/// <summary>Chat:MaxConnectionsPerUser is one count across the cluster, taken in the same step as the registration.</summary>
[Collection(ClusterTests.Name)]
public sealed class ConnectionLimitClusterTests(ClusterFixture cluster)
{
    // The cluster runs with the default limit.
    private const int Limit = 10;

    [Fact]
    public async Task Connects_of_one_user_racing_on_three_nodes_past_the_limit_let_in_exactly_the_limit()
    {
        var token = await cluster.A.IssueTokenAsync(Users.Unique("many-tabs"));

        var attempts = await Task.WhenAll(Enumerable.Range(0, Limit + 5).Select(i => ConnectAsync(cluster.Nodes[i % 3].BaseAddress, token)));
        try
        {
            attempts.Count(a => a.Client is not null).Should().Be(Limit);
            attempts.Where(a => a.Client is null).Should().HaveCount(5)
                .And.AllSatisfy(a => a.Reason.Should().Contain($"rate_limited: This user already has {Limit} open connections"));
        }
        finally
        {
            foreach (var (_, client) in attempts)
            {
                if (client is not null)
                {
                    await client.DisposeAsync();
                }
            }
        }
    }

    /// <returns>The close reason of a refused connect, or the open client.</returns>
    private static async Task<(string? Reason, ChatClient? Client)> ConnectAsync(Uri node, string token)
    {
        var client = ChatClient.Create(node, () => Task.FromResult<string?>(token), reconnectPolicy: new NoReconnect());
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.Closed += error => Task.FromResult(closed.TrySetResult(error));
        await client.StartAsync();
        try
        {
            // A call is answered only once OnConnectedAsync is done: by then a refused connect has closed.
            await client.GetConversations();
            return (null, client);
        }
        catch (Exception)
        {
            // The call can fail before the client's state says closed: the close reason is what tells.
            var reason = (await closed.Task.WaitAsync(TimeSpan.FromSeconds(15)))?.Message ?? "closed without a reason";
            await client.DisposeAsync();
            return (reason, null);
        }
    }
}
