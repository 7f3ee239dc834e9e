using MessagePack;

namespace Realtime.Contracts;

// String keys keep MessagePack field names identical to the camelCase JSON names,
// so a JavaScript client sees the same objects whichever protocol it picks.

[MessagePackObject]
public sealed record ConversationDto(
    [property: Key("id")] string Id,
    [property: Key("title")] string Title,
    [property: Key("memberIds")] IReadOnlyList<string> MemberIds,
    [property: Key("createdAt")] DateTime CreatedAt,
    [property: Key("lastSequence")] long LastSequence,
    [property: Key("lastReadSequence")] long LastReadSequence,
    [property: Key("unreadCount")] long UnreadCount,
    [property: Key("kind")] string Kind,
    [property: Key("topic")] string? Topic,
    [property: Key("lastRevision")] long LastRevision,
    [property: Key("members")] IReadOnlyList<MemberDto> Members,
    [property: Key("lastDeliveredSequence")] long LastDeliveredSequence);

/// <summary>A member and their role: <see cref="ConversationRoles"/>.</summary>
[MessagePackObject]
public sealed record MemberDto(
    [property: Key("userId")] string UserId,
    [property: Key("role")] string Role);

[MessagePackObject]
public sealed record MessageDto(
    [property: Key("id")] string Id,
    [property: Key("conversationId")] string ConversationId,
    [property: Key("sequence")] long Sequence,
    [property: Key("senderId")] string SenderId,
    [property: Key("clientMessageId")] string ClientMessageId,
    [property: Key("content")] string Content,
    [property: Key("sentAt")] DateTime SentAt,
    [property: Key("revision")] long Revision,
    [property: Key("editedAt")] DateTime? EditedAt,
    [property: Key("deletedAt")] DateTime? DeletedAt,
    [property: Key("replyToMessageId")] string? ReplyToMessageId,
    [property: Key("reactions")] IReadOnlyList<ReactionDto> Reactions)
{
    // Value equality over the reactions too, so two reads of one message state compare equal.
    public bool Equals(MessageDto? other) =>
        other is not null && Id == other.Id && ConversationId == other.ConversationId && Sequence == other.Sequence
        && SenderId == other.SenderId && ClientMessageId == other.ClientMessageId && Content == other.Content
        && SentAt == other.SentAt && Revision == other.Revision && EditedAt == other.EditedAt && DeletedAt == other.DeletedAt
        && ReplyToMessageId == other.ReplyToMessageId && Reactions.SequenceEqual(other.Reactions);

    public override int GetHashCode() => HashCode.Combine(Id, Revision);
}

/// <summary>One emoji on a message and who reacted with it, in order of reacting.</summary>
[MessagePackObject]
public sealed record ReactionDto(
    [property: Key("emoji")] string Emoji,
    [property: Key("userIds")] IReadOnlyList<string> UserIds)
{
    public bool Equals(ReactionDto? other) => other is not null && Emoji == other.Emoji && UserIds.SequenceEqual(other.UserIds);

    public override int GetHashCode() => HashCode.Combine(Emoji, UserIds.Count);
}

/// <summary>A message to post: <see cref="IChatHub.PostMessage"/>.</summary>
[MessagePackObject]
public sealed record NewMessageDto(
    [property: Key("clientMessageId")] string ClientMessageId,
    [property: Key("content")] string Content,
    [property: Key("replyToMessageId")] string? ReplyToMessageId = null);

[MessagePackObject]
public sealed record ReadReceiptDto(
    [property: Key("conversationId")] string ConversationId,
    [property: Key("userId")] string UserId,
    [property: Key("lastReadSequence")] long LastReadSequence,
    [property: Key("readAt")] DateTime ReadAt,
    [property: Key("lastDeliveredSequence")] long LastDeliveredSequence);

[MessagePackObject]
public sealed record TypingDto(
    [property: Key("conversationId")] string ConversationId,
    [property: Key("userId")] string UserId,
    [property: Key("isTyping")] bool IsTyping);

[MessagePackObject]
public sealed record PresenceDto(
    [property: Key("userId")] string UserId,
    [property: Key("isOnline")] bool IsOnline,
    [property: Key("lastSeenAt")] DateTime? LastSeenAt);

[MessagePackObject]
public sealed record NotificationDto(
    [property: Key("id")] string Id,
    [property: Key("kind")] string Kind,
    [property: Key("title")] string Title,
    [property: Key("body")] string Body,
    [property: Key("data")] IReadOnlyDictionary<string, string>? Data,
    [property: Key("createdAt")] DateTime CreatedAt);

[MessagePackObject]
public sealed record ProgressDto(
    [property: Key("operationId")] string OperationId,
    [property: Key("percent")] int Percent,
    [property: Key("status")] string Status,
    [property: Key("message")] string? Message);
