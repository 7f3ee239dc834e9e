using Microsoft.EntityFrameworkCore;
using Realtime.Persistence;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;

namespace Realtime.Server.Messages;

/// <summary>What a reply may point at: a message of the same conversation (a tombstone included).</summary>
public sealed class ReplyTargets(IServiceScopeFactory scopes)
{
    public async Task EnsureAsync(string senderId, string conversationId, string replyToMessageId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        // A non-member hears not_a_member before anything about the message it points at.
        await ConversationService.EnsureMemberAsync(db, senderId, conversationId);
        if (!await db.Messages.AnyAsync(m => m.Id == replyToMessageId && m.ConversationId == conversationId))
        {
            throw ChatException.NotFound("replyToMessageId is not a message of this conversation.");
        }
    }
}
