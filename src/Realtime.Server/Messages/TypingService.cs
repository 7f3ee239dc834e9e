using Realtime.Contracts;
using Realtime.Server.Conversations;
using Realtime.Server.Delivery;

using Realtime.Server.Errors;

namespace Realtime.Server.Messages;

/// <summary>Typing indicators: members only, never persisted.</summary>
public sealed class TypingService(ConversationService conversations, IChatNotifier notifier)
{
    public async Task<string> EnsureMayTypeAsync(string userId, string? conversationId, CancellationToken cancellationToken = default)
    {
        var id = Ids.RequireConversationId(conversationId);
        await conversations.EnsureMemberAsync(userId, id, cancellationToken);
        return id;
    }

    /// <summary>Tells the other members; the caller has checked membership.</summary>
    public Task PublishAsync(string userId, string conversationId, bool isTyping) =>
        notifier.TypingChangedAsync(new TypingDto(conversationId, userId, isTyping));
}
