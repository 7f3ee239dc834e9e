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

        var attempts = await Task.WhenAll(Enumerable.Range(0, Limit + 5).Select(i => RefusableConnect.TryAsync(cluster.Nodes[i % 3].BaseAddress, token)));
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
}
