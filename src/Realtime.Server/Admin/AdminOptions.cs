using System.ComponentModel.DataAnnotations;

namespace Realtime.Server.Admin;

/// <summary>Section <c>Admin</c>: how often each node reports its figures for <c>GET /api/admin/stats</c>.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>How often a node writes its figures to Redis; the node that answers a request reports its own live.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a node's figures outlive its last report: a node silent this long drops out of the list.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
    public TimeSpan StatsTimeToLive { get; set; } = TimeSpan.FromSeconds(15);
}
