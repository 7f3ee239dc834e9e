using Realtime.Contracts;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;
using Realtime.Server.Delivery;

namespace Realtime.Server.Notifications;

/// <summary>Server-originated pushes: announcements, per-user notices and operation progress.</summary>
public sealed class NotificationService(IChatNotifier notifier, ConversationService conversations, TimeProvider clock)
{
    private const int MaxTextLength = 4000;
    private const int MaxDataEntries = 50;
    private const int MaxUsers = 1000;

    public async Task<NotificationDto> PushAsync(NotificationRequest? request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw ChatException.InvalidArgument("A notification body is required.");
        }

        var userIds = (request.UserIds ?? []).Select(id => Ids.RequireUserId(id, "userIds")).Distinct(StringComparer.Ordinal).ToList();
        if (userIds.Count > MaxUsers)
        {
            throw ChatException.PayloadTooLarge($"Target at most {MaxUsers} users at once.");
        }

        var everyone = request.All ?? false;
        if (!everyone && userIds.Count == 0 && request.ConversationId is null)
        {
            throw ChatException.InvalidArgument("Name a target: userIds, conversationId or all.");
        }

        if (request.ConversationId is not null)
        {
            Ids.RequireConversationId(request.ConversationId);
            if (!await conversations.ExistsAsync(request.ConversationId, cancellationToken))
            {
                throw ChatException.NotFound("No such conversation.");
            }
        }

        var kind = Ids.RequireUserId(request.Kind, "kind");
        var title = RequireText(request.Title, "title");
        var body = RequireText(request.Body, "body");
        if (request.Data is { Count: > MaxDataEntries })
        {
            throw ChatException.PayloadTooLarge($"data has at most {MaxDataEntries} entries.");
        }

        var notification = new NotificationDto(Ids.NewId(), kind, title, body, request.Data, clock.UtcNowForStorage());
        await notifier.NotifyAsync(new NotificationAudience(userIds, request.ConversationId, everyone), notification);
        return notification;
    }

    private static string RequireText(string? value, string name) => value switch
    {
        null or "" => throw ChatException.InvalidArgument($"{name} is required."),
        { Length: > MaxTextLength } => throw ChatException.PayloadTooLarge($"{name} is longer than {MaxTextLength} characters."),
        _ => value,
    };
}
