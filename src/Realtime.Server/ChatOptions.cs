using System.ComponentModel.DataAnnotations;
using Realtime.Persistence;

namespace Realtime.Server;

/// <summary>Limits of the chat domain (section <c>Chat</c>). Every one has a safe default and is checked at start-up.</summary>
public sealed class ChatOptions
{
    public const string SectionName = "Chat";

    /// <summary>Longest message content, in UTF-16 characters; longer gets <c>payload_too_large</c>.</summary>
    [Range(1, 1_000_000)]
    public int MaxContentLength { get; set; } = 4000;

    /// <summary>Largest <c>limit</c> a page of messages may ask for; larger is clamped.</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 200;

    [Range(1, ChatDbContext.TitleMaxLength)]
    public int MaxTitleLength { get; set; } = ChatDbContext.TitleMaxLength;

    /// <summary>Longest conversation topic, in UTF-16 characters; longer gets <c>payload_too_large</c>.</summary>
    [Range(1, ChatDbContext.TopicMaxLength)]
    public int MaxTopicLength { get; set; } = ChatDbContext.TopicMaxLength;

    [Range(1, 100_000)]
    public int MaxMembersPerConversation { get; set; } = 1000;

    /// <summary>Hub calls a user may make per second, sustained, across all of their connections on a node.</summary>
    [Range(1, 1_000_000)]
    public int HubCallsPerSecond { get; set; } = 50;

    /// <summary>Hub calls a user may make in a burst above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int HubCallBurst { get; set; } = 100;

    /// <summary>Live connections one user may hold across the cluster; more are refused with <c>rate_limited</c>.</summary>
    [Range(1, 10_000)]
    public int MaxConnectionsPerUser { get; set; } = 10;

    /// <summary>Hub connects one user may make per minute on a node, sustained; more are refused with <c>rate_limited</c> before any database read.</summary>
    [Range(1, 1_000_000)]
    public int ConnectsPerMinute { get; set; } = 60;

    /// <summary>Hub connects one user may make in a burst above the sustained rate (a page with several tabs, a reconnect).</summary>
    [Range(1, 1_000_000)]
    public int ConnectBurst { get; set; } = 20;

    /// <summary>Largest hub frame a client may send, in bytes; a larger one closes that connection.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024;

    /// <summary>At most one <c>isTyping=true</c> per user and conversation is passed on per interval; clients repeat every few seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:06")]
    public TimeSpan TypingThrottle { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a node gathers presence changes before writing them, each connection's in one write: in a
    /// connect or reconnect storm every arrival is news to its conversations' members, and a write per change
    /// and member cost a fifth of a connect's CPU. Zero writes each change at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan PresenceFanOutWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>REST requests a user (or an anonymous client address) may make per second, sustained.</summary>
    [Range(1, 1_000_000)]
    public int HttpRequestsPerSecond { get; set; } = 20;

    /// <summary>REST requests in a burst above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int HttpRequestBurst { get; set; } = 40;

    /// <summary>Most user ids one <c>GetPresence</c> call may ask about.</summary>
    [Range(1, 10_000)]
    public int MaxPresenceQuery { get; set; } = 500;

    /// <summary>
    /// How long a node holds back a message that reached it ahead of an earlier one of its conversation
    /// (each node publishes on its own, so another node's earlier message can be a moment behind)
    /// before it reads the missing ones from the database.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan DeliveryGapWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most missing messages a node reads back to close one gap in a conversation; past that it
    /// passes the gap over and the members catch up with <c>GetMessages</c>.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxDeliveryGapFill { get; set; } = 1000;

    /// <summary>Most distinct emoji on one message; a new one past that gets <c>payload_too_large</c>.</summary>
    [Range(1, 1000)]
    public int MaxReactionsPerMessage { get; set; } = 20;

    /// <summary>How long after it was sent a message may still be edited (<c>forbidden</c> after); null: no limit.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan? EditWindow { get; set; }
}

/// <summary>Section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending EF Core migrations at start-up; turn off when migrations are applied out of band.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
