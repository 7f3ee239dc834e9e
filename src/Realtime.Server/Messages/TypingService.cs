using Realtime.Contracts;
using Realtime.Server.Conversations;
using Realtime.Server.Notifications;

namespace Realtime.Server.Messages;

/// <summary>Typing indicators: members only, never persisted.</summary>
public sealed class TypingService(ConversationService conversations, IChatNotifier notifier)
{
    public async Task SetTypingAsync(string userId, string? conversationId, bool isTyping, CancellationToken cancellationToken = default)
    {
        conversationId = Ids.RequireConversationId(conversationId);
        await conversations.EnsureMemberAsync(userId, conversationId, cancellationToken);
        await notifier.TypingChangedAsync(new TypingDto(conversationId, userId, isTyping));
    }

    /// <summary>Clears an indicator the server knows is stale (a send or a disconnect); no membership check, the user was typing there.</summary>
    public Task ClearAsync(string userId, string conversationId) =>
        notifier.TypingChangedAsync(new TypingDto(conversationId, userId, IsTyping: false));
}
