using Realtime.Contracts;

namespace Realtime.Server.Delivery;

/// <summary>
/// The one way domain services reach clients. Delivery is best effort: a failure is logged, never
/// thrown, because what was persisted stays acknowledged and clients resync with <c>GetMessages</c>.
/// </summary>
public interface IChatNotifier
{
    /// <summary>Delivers committed log entries (new and changed messages); each conversation's are in revision order.</summary>
    Task LogChangedAsync(IReadOnlyList<LogEntry> entries);

    Task ReadReceiptUpdatedAsync(ReadReceiptDto receipt);

    /// <summary>Sends to the conversation except every connection of the typing user.</summary>
    Task TypingChangedAsync(TypingDto typing);

    Task PresenceChangedAsync(IReadOnlyCollection<string> audienceUserIds, PresenceDto presence);

    /// <summary>Sends to every connection, on every node, that shares one of these conversations with the user: once each, the user's own excepted.</summary>
    Task PresenceChangedAsync(ConversationPresence change);

    /// <summary>
    /// Moves the live connections of added and removed members in or out of the conversation on every
    /// node, then sends each member (and each removed user) their <c>ConversationUpdated</c>.
    /// </summary>
    Task MembershipChangedAsync(MembershipChange change);

    Task NotifyAsync(NotificationAudience audience, NotificationDto notification);

    Task ProgressChangedAsync(string userId, ProgressDto progress);
}

/// <summary>
/// A committed membership change. <see cref="View"/> is the conversation as a non-member sees it;
/// each member's own view adds their <see cref="MemberReadState"/>.
/// </summary>
public sealed record MembershipChange(
    ConversationDto View,
    IReadOnlyList<string> AddedUserIds,
    IReadOnlyList<string> RemovedUserIds,
    IReadOnlyDictionary<string, MemberReadState> Members)
{
    public ConversationDto ViewOf(string userId) =>
        Members.TryGetValue(userId, out var state)
            ? View with { LastReadSequence = state.LastReadSequence, UnreadCount = state.UnreadCount, LastDeliveredSequence = state.LastDeliveredSequence }
            : View;
}

/// <summary>A user's presence transition and the conversations whose members hear of it.</summary>
public sealed record ConversationPresence(PresenceDto Presence, IReadOnlyList<string> ConversationIds);

public sealed record MemberReadState(long LastReadSequence, long UnreadCount, long LastDeliveredSequence);

/// <summary>Who a notification goes to: any mix of users and one conversation, or everyone.</summary>
public sealed record NotificationAudience(IReadOnlyList<string> UserIds, string? ConversationId, bool Everyone);
