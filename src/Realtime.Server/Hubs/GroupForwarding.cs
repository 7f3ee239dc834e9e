namespace Realtime.Server.Hubs;

/// <summary>A group change for a connection that may live on another node.</summary>
public sealed record GroupChange(string ConnectionId, string GroupName, bool Add);

/// <summary>
/// Carries a group change for a connection this node does not hold to the node that does, which
/// applies it as its own. Groups are only ever changed on the connection's own node, so each node's
/// map of its connections' groups stays exact.
/// </summary>
public interface IGroupForwarding
{
    Task ForwardAsync(GroupChange change);
}

/// <summary>One node: a connection that is not here has closed, and there is nothing to change.</summary>
internal sealed class NoGroupForwarding : IGroupForwarding
{
    public Task ForwardAsync(GroupChange change) => Task.CompletedTask;
}
