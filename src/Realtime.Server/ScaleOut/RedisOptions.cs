using System.ComponentModel.DataAnnotations;

namespace Realtime.Server.ScaleOut;

/// <summary>Section <c>Redis</c>. An empty connection string means one node and no backplane.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    public string? ConnectionString { get; set; }

    /// <summary>Prefixes every channel and key, so several deployments can share one Redis.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.:-]{1,64}$")]
    public string ChannelPrefix { get; set; } = "realtime";

    /// <summary>How often a node proves it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan PresenceHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A node silent this long is dead: its connections no longer count. Keep it under 30 s minus one heartbeat.</summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:05:00")]
    public TimeSpan PresenceNodeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public bool IsEnabled => !string.IsNullOrWhiteSpace(ConnectionString);
}
