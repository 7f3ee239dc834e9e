using Microsoft.EntityFrameworkCore;
using Realtime.Persistence;
using Realtime.Server.Delivery;

namespace Realtime.Server.Messages;

/// <summary>Committed changes a node did not receive from the node that committed them, read back from the database.</summary>
internal sealed class MissedMessages(IServiceScopeFactory scopes) : IGapReader
{
    public async Task<IReadOnlyList<LogEntry>> ReadAsync(string conversationId, long afterRevision, long upToRevision, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var rows = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Revision > afterRevision && m.Revision <= upToRevision)
            .OrderBy(m => m.Revision)
            .ToListAsync(cancellationToken);
        var messages = await MessageViews.ToDtosAsync(db, rows, cancellationToken);
        // Members here have the messages created up to afterRevision: those are updates to them, the rest are new.
        return rows.Select((row, i) => new LogEntry(messages[i], IsUpdate: row.CreatedRevision <= afterRevision)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, long>> ReadLastRevisionsAsync(IReadOnlyCollection<string> conversationIds, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        // In pages, so a node with many conversations does not send one huge IN list.
        foreach (var page in conversationIds.Chunk(500))
        {
            var ids = page.ToList();
            foreach (var (id, last) in await db.Conversations.AsNoTracking()
                .Where(c => ids.Contains(c.Id) && c.LastRevision > 0)
                .Select(c => new ValueTuple<string, long>(c.Id, c.LastRevision))
                .ToListAsync(cancellationToken))
            {
                result[id] = last;
            }
        }

        return result;
    }
}
