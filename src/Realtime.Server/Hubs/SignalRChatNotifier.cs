using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;
using Realtime.Server.Observability;
using Realtime.Server.Delivery;

using Realtime.Server.Connections;

namespace Realtime.Server.Hubs;

/// <summary>
/// Reaches clients through <see cref="IHubContext{THub,T}"/>. With the Redis backplane the same calls
/// reach connections on every node; group changes for a connection elsewhere are forwarded to its node.
/// </summary>
internal sealed partial class SignalRChatNotifier(
    IHubContext<ChatHub, IChatClient> hub,
    IPresenceTracker tracker,
    IGroupMembershipSync membership,
    IPresenceBroadcast presence,
    IMessageBroadcast messages,
    ChatMetrics metrics,
    ILogger<SignalRChatNotifier> logger) : IChatNotifier
{
    public Task LogChangedAsync(IReadOnlyList<LogEntry> entries) =>
        DeliverAsync(nameof(IChatClient.MessageReceived), () => messages.PublishAsync(entries), entries.Count);

    public Task ReadReceiptUpdatedAsync(ReadReceiptDto receipt) =>
        DeliverAsync(nameof(IChatClient.ReadReceiptUpdated), () => hub.Clients.Group(ChatGroups.Conversation(receipt.ConversationId)).ReadReceiptUpdated(receipt));

    public Task TypingChangedAsync(TypingDto typing) =>
        DeliverAsync(nameof(IChatClient.TypingChanged), async () =>
        {
            var typersConnections = await tracker.GetConnectionIdsAsync(typing.UserId);
            await hub.Clients.GroupExcept(ChatGroups.Conversation(typing.ConversationId), typersConnections).TypingChanged(typing);
        });

    public Task PresenceChangedAsync(IReadOnlyCollection<string> audienceUserIds, PresenceDto presence) =>
        DeliverAsync(nameof(IChatClient.PresenceChanged), () => hub.Clients.Users(audienceUserIds).PresenceChanged(presence));

    public Task PresenceChangedAsync(ConversationPresence change) =>
        DeliverAsync(nameof(IChatClient.PresenceChanged), () => presence.PublishAsync(change));

    public Task MembershipChangedAsync(MembershipChange change) =>
        DeliverAsync("membership change", () => membership.PublishAsync(change));

    public Task NotifyAsync(NotificationAudience audience, NotificationDto notification) =>
        DeliverAsync(nameof(IChatClient.Notified), async () =>
        {
            if (audience.Everyone)
            {
                await hub.Clients.All.Notified(notification);
                return;
            }

            if (audience.UserIds.Count > 0)
            {
                await hub.Clients.Users(audience.UserIds).Notified(notification);
            }

            if (audience.ConversationId is { } conversationId)
            {
                await hub.Clients.Group(ChatGroups.Conversation(conversationId)).Notified(notification);
            }
        });

    public Task ProgressChangedAsync(string userId, ProgressDto progress) =>
        DeliverAsync(nameof(IChatClient.ProgressChanged), () => hub.Clients.User(userId).ProgressChanged(progress));

    private async Task DeliverAsync(string what, Func<Task> send, int count = 1)
    {
        try
        {
            await send();
            metrics.Delivered(what, count);
        }
        catch (Exception exception)
        {
            // What was persisted stays acknowledged; clients catch up through GetMessages.
            LogDeliveryFailed(logger, what, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {What} failed; clients will catch up on resync")]
    private static partial void LogDeliveryFailed(ILogger logger, string what, Exception exception);
}
