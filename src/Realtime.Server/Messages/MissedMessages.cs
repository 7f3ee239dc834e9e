using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;

namespace Realtime.Server.Messages;

/// <summary>Committed messages a node did not receive from the node that committed them, read back from the database.</summary>
internal sealed class MissedMessages(IServiceScopeFactory scopes)
{
    /// <summary>The conversation's messages after <paramref name="afterSequence"/> and before <paramref name="beforeSequence"/>, in sequence order.</summary>
    public async Task<List<MessageDto>> ReadAsync(string conversationId, long afterSequence, long beforeSequence)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        return await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Sequence > afterSequence && m.Sequence < beforeSequence)
            .OrderBy(m => m.Sequence)
            .Select(MessageService.AsDto)
            .ToListAsync();
    }
}
