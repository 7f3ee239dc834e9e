using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>Where the connection stands, as the application sees it.</summary>
public enum ConnectionState
{
    Disconnected,
    Connecting,

    /// <summary>Connected and every followed conversation is caught up.</summary>
    Connected,

    /// <summary>The connection was lost; the client keeps trying, however long the server is away.</summary>
    Reconnecting,

    /// <summary>Connected again and reading back what was missed; live messages are held until it is in.</summary>
    Resyncing,
}

/// <summary>What <see cref="ChatSyncClient.ReadEventsAsync"/> yields, in the order things happened.</summary>
public abstract record ChatEvent;

public sealed record ConnectionStateChanged(ConnectionState State, Exception? Error = null) : ChatEvent;

/// <summary>A reconnect's resync is complete: <paramref name="Messages"/> missed messages were read back from <paramref name="Conversations"/> conversations.</summary>
public sealed record ResyncCompleted(int Conversations, int Messages, TimeSpan Duration) : ChatEvent;

/// <summary>
/// The next message of a conversation: each exactly once, in sequence order with nothing skipped, in its
/// latest known state. <paramref name="Recovered"/> is true for one that came out of a read rather than live delivery.
/// </summary>
public sealed record MessageEvent(MessageDto Message, bool Recovered) : ChatEvent;

/// <summary>
/// A message the application holds changed (edited, deleted, reacted to): its new state, in revision order.
/// Deleted messages keep their id and sequence, with empty content and <c>DeletedAt</c> set.
/// </summary>
public sealed record MessageChanged(MessageDto Message, bool Recovered) : ChatEvent;

/// <summary>The user is a member of a conversation the application did not follow yet; its messages follow.</summary>
public sealed record ConversationJoined(ConversationDto Conversation) : ChatEvent;

/// <summary>A followed conversation's title or members changed.</summary>
public sealed record ConversationChanged(ConversationDto Conversation) : ChatEvent;

/// <summary>The user is no longer a member; no more messages of it follow.</summary>
public sealed record ConversationLeft(string ConversationId) : ChatEvent;

public sealed record ReadReceiptEvent(ReadReceiptDto Receipt) : ChatEvent;

public sealed record TypingEvent(TypingDto Typing) : ChatEvent;

public sealed record PresenceEvent(PresenceDto Presence) : ChatEvent;

public sealed record NotificationEvent(NotificationDto Notification) : ChatEvent;

public sealed record ProgressEvent(ProgressDto Progress) : ChatEvent;
