namespace Realtime.Server.Admin;

/// <summary>One node's figures as of <see cref="ReportedAt"/>. Rates are per second, averaged over the last minute.</summary>
public sealed record NodeStats(
    string NodeId,
    string Version,
    DateTime StartedAt,
    double UptimeSeconds,
    int Connections,
    int UsersOnline,
    double SendsPerSecond,
    double DeliveriesPerSecond,
    long SendsLastMinute,
    long DeliveriesLastMinute,
    DateTime ReportedAt);

/// <summary>
/// Sums over the listed nodes. <see cref="UsersOnline"/> counts a user once per node they are connected
/// to, as the per-node figures do; presence (<c>GetPresence</c>) is the cluster-wide view of one user.
/// </summary>
public sealed record ClusterTotals(int Nodes, int Connections, int UsersOnline, double SendsPerSecond, double DeliveriesPerSecond);

/// <summary><see cref="AnsweredBy"/> is the node that served the request, whose own figures are live rather than as of its last report.</summary>
public sealed record ClusterStats(DateTime GeneratedAt, string AnsweredBy, IReadOnlyList<NodeStats> Nodes, ClusterTotals Totals)
{
    public static ClusterStats Of(string answeredBy, IReadOnlyList<NodeStats> nodes, DateTime now) => new(
        now,
        answeredBy,
        nodes,
        new ClusterTotals(
            nodes.Count,
            nodes.Sum(n => n.Connections),
            nodes.Sum(n => n.UsersOnline),
            nodes.Sum(n => n.SendsPerSecond),
            nodes.Sum(n => n.DeliveriesPerSecond)));
}

/// <summary>The answer to a disconnect: the other nodes close theirs on their own, without reporting back.</summary>
public sealed record DisconnectResult(string UserId, int ClosedOnThisNode);
