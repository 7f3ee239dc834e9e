using Realtime.Contracts;

namespace Realtime.Server.Notifications;

/// <summary>
/// The one way domain services reach clients. Delivery is best effort: a failure is logged, never
/// thrown, because what was persisted stays acknowledged and clients resync with <c>GetMessages</c>.
/// </summary>
public interface IChatNotifier
{
    Task MessageSentAsync(MessageDto message);

    Task ReadReceiptUpdatedAsync(ReadReceiptDto receipt);

    /// <summary>Sends to the conversation except every connection of the typing user.</summary>
    Task TypingChangedAsync(TypingDto typing);

    Task PresenceChangedAsync(IReadOnlyCollection<string> audienceUserIds, PresenceDto presence);

    /// <summary>Moves the live connections of added and removed members in or out of the conversation, on every node.</summary>
    Task MembershipChangedAsync(string conversationId, IReadOnlyCollection<string> addedUserIds, IReadOnlyCollection<string> removedUserIds);

    Task ConversationUpdatedAsync(string userId, ConversationDto conversation);

    Task NotifyAsync(NotificationAudience audience, NotificationDto notification);

    Task ProgressChangedAsync(string userId, ProgressDto progress);
}

/// <summary>Who a notification goes to: any mix of users and one conversation, or everyone.</summary>
public sealed record NotificationAudience(IReadOnlyList<string> UserIds, string? ConversationId, bool Everyone);
