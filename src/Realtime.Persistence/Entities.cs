namespace Realtime.Persistence;

public sealed class Conversation
{
    public required string Id { get; init; }

    public required string Title { get; set; }

    public DateTime CreatedAt { get; init; }

    /// <summary>The last allocated message sequence; the row is the per-conversation sequence counter.</summary>
    public long LastSequence { get; set; }

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

    public Conversation? Conversation { get; init; }
}

public sealed class Message
{
    public required string Id { get; init; }

    public required string ConversationId { get; init; }

    public long Sequence { get; init; }

    public required string SenderId { get; init; }

    public required string ClientMessageId { get; init; }

    public required string Content { get; init; }

    public DateTime SentAt { get; init; }
}

public sealed class UserPresence
{
    public required string UserId { get; init; }

    public DateTime LastSeenAt { get; set; }
}
