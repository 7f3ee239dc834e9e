using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Delivery;

namespace Realtime.Server.Messages;

/// <summary>Committed messages a node did not receive from the node that committed them, read back from the database.</summary>
internal sealed class MissedMessages(IServiceScopeFactory scopes) : IGapReader
{
    public async Task<IReadOnlyList<MessageDto>> ReadAsync(string conversationId, long afterSequence, long upToSequence, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        return await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Sequence > afterSequence && m.Sequence <= upToSequence)
            .OrderBy(m => m.Sequence)
            .Select(MessageService.AsDto)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, long>> ReadLastSequencesAsync(IReadOnlyCollection<string> conversationIds, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        // In pages, so a node with many conversations does not send one huge IN list.
        foreach (var page in conversationIds.Chunk(500))
        {
            var ids = page.ToList();
            foreach (var (id, last) in await db.Conversations.AsNoTracking()
                .Where(c => ids.Contains(c.Id) && c.LastSequence > 0)
                .Select(c => new ValueTuple<string, long>(c.Id, c.LastSequence))
                .ToListAsync(cancellationToken))
            {
                result[id] = last;
            }
        }

        return result;
    }
}
