namespace Realtime.Persistence;

public sealed class Conversation
{
    public required string Id { get; init; }

    public required string Title { get; set; }

    public DateTime CreatedAt { get; init; }

    /// <summary>The last allocated message sequence; the row is the per-conversation sequence counter.</summary>
    public long LastSequence { get; set; }

    /// <summary>The last allocated revision: every change to a message (created, edited, deleted, reacted to) takes the next.</summary>
    public long LastRevision { get; set; }

    /// <summary><c>group</c> or <c>direct</c>.</summary>
    public string Kind { get; init; } = "group";

    public string? Topic { get; set; }

    /// <summary>For a direct conversation, its pair of users in ordinal order (unique), so two callers anywhere get one conversation.</summary>
    public string? DirectKey { get; init; }

    public List<ConversationMember> Members { get; init; } = [];
}

public sealed class ConversationMember
{
    public required string ConversationId { get; init; }

    public required string UserId { get; init; }

    public DateTime JoinedAt { get; init; }

    /// <summary>The read watermark: only ever moves forward.</summary>
    public long LastReadSequence { get; set; }

    public DateTime? ReadAt { get; set; }

    /// <summary><c>owner</c>, <c>admin</c> or <c>member</c>.</summary>
    public string Role { get; set; } = "member";

    /// <summary>The delivered watermark: only ever moves forward, and never below the read one.</summary>
    public long LastDeliveredSequence { get; set; }

    public DateTime? DeliveredAt { get; set; }

    public Conversation? Conversation { get; init; }
}

public sealed class Message
{
    public required string Id { get; init; }

    public required string ConversationId { get; init; }

    public long Sequence { get; init; }

    public required string SenderId { get; init; }

    public required string ClientMessageId { get; init; }

    public required string Content { get; set; }

    public DateTime SentAt { get; init; }

    /// <summary>The revision of the message's last change: its position in the conversation's log.</summary>
    public long Revision { get; set; }

    /// <summary>The revision the message was created at, so a read-back knows a new message from a changed one.</summary>
    public long CreatedRevision { get; init; }

    public DateTime? EditedAt { get; set; }

    /// <summary>Set on delete: the row stays (id, sequence, sender, times) without its content and reactions.</summary>
    public DateTime? DeletedAt { get; set; }

    public string? ReplyToMessageId { get; init; }
}

/// <summary>One user's emoji on one message; unique, so adding it again changes nothing.</summary>
public sealed class Reaction
{
    public required string MessageId { get; init; }

    public required string UserId { get; init; }

    public required string Emoji { get; init; }

    /// <summary>The revision the reaction was added at: orders emoji by first use and users by reacting.</summary>
    public long Revision { get; init; }
}

public sealed class UserPresence
{
    public required string UserId { get; init; }

    public DateTime LastSeenAt { get; set; }
}
