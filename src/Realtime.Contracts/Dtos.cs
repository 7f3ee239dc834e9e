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
    [property: Key("unreadCount")] long UnreadCount);

[MessagePackObject]
public sealed record MessageDto(
    [property: Key("id")] string Id,
    [property: Key("conversationId")] string ConversationId,
    [property: Key("sequence")] long Sequence,
    [property: Key("senderId")] string SenderId,
    [property: Key("clientMessageId")] string ClientMessageId,
    [property: Key("content")] string Content,
    [property: Key("sentAt")] DateTime SentAt);

[MessagePackObject]
public sealed record ReadReceiptDto(
    [property: Key("conversationId")] string ConversationId,
    [property: Key("userId")] string UserId,
    [property: Key("lastReadSequence")] long LastReadSequence,
    [property: Key("readAt")] DateTime ReadAt);

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
