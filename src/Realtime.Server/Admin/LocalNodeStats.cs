using System.Diagnostics;
using System.Reflection;
using Realtime.Server.Connections;
using Realtime.Server.Observability;

namespace Realtime.Server.Admin;

/// <summary>This node's figures, read live: its connections from the registry, its rates from <see cref="NodeThroughput"/>.</summary>
public sealed class LocalNodeStats(NodeIdentity node, LocalConnectionRegistry connections, NodeThroughput throughput, TimeProvider clock)
{
    private static readonly string Version =
        typeof(LocalNodeStats).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    // The process's start, not this object's: it is built on the first request, which may be long after.
    private static readonly DateTime StartedAt = ProcessStart();

    public string NodeId => node.NodeId;

    public NodeStats Snapshot()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (users, open) = connections.Counts();
        return new NodeStats(
            node.NodeId,
            Version,
            StartedAt,
            Math.Max(0, (now - StartedAt).TotalSeconds),
            open,
            users,
            throughput.Sends.PerSecond(),
            throughput.Deliveries.PerSecond(),
            throughput.Sends.LastMinute(),
            throughput.Deliveries.LastMinute(),
            now);
    }

    private static DateTime ProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return process.StartTime.ToUniversalTime();
    }
}
