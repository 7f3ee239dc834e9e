namespace Realtime.Server.Connections;

/// <summary>This process among the nodes of a cluster; one node alone has an id too, so what it reports reads the same.</summary>
public sealed class NodeIdentity
{
    public string NodeId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..Math.Min(Environment.MachineName.Length + 20, 100)];
}
