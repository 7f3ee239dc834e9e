namespace Realtime.Server.Admin;

/// <summary>The figures of every live node; with Redis each node's last report, without it this node alone.</summary>
public interface IClusterStats
{
    Task<IReadOnlyList<NodeStats>> ReadNodesAsync(CancellationToken cancellationToken);
}

/// <summary>One node: the cluster is this process.</summary>
internal sealed class LocalClusterStats(LocalNodeStats local) : IClusterStats
{
    public Task<IReadOnlyList<NodeStats>> ReadNodesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<NodeStats>>([local.Snapshot()]);
}
