using Microsoft.EntityFrameworkCore;

namespace Realtime.Persistence;

/// <summary>
/// A batch of changes through EF Core, a statement per conversation and per touched message: the path for
/// SQL Server, whose batch forms the set-based ones (<see cref="SqliteChangeBatch"/>, <see cref="PostgresChangeBatch"/>)
/// have not been written for.
/// </summary>
internal static class GenericChangeBatch
{
    public static async Task<Dictionary<string, long>?> WriteAsync(ChatDbContext db, ChangeWrite write)
    {
        var bases = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (conversationId, taken) in write.Taken)
        {
            await db.Conversations.Where(c => c.Id == conversationId)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastRevision, c => c.LastRevision + taken));
            bases[conversationId] = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastRevision).SingleAsync() - taken;
        }

        foreach (var message in write.Messages)
        {
            var revision = bases[message.ConversationId] + message.Offset;
            var actors = message.Actors.ToList();
            var written = await db.Messages
                .Where(m => m.Id == message.MessageId && m.Revision == message.ReadRevision
                    && db.Members.Count(x => x.ConversationId == message.ConversationId && actors.Contains(x.UserId)) == actors.Count)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(m => m.Content, message.Content)
                    .SetProperty(m => m.EditedAt, message.EditedAt)
                    .SetProperty(m => m.DeletedAt, message.DeletedAt)
                    .SetProperty(m => m.Revision, revision));
            if (written != 1)
            {
                return null;
            }
        }

        foreach (var cleared in write.Cleared)
        {
            await db.Reactions.Where(r => r.MessageId == cleared).ExecuteDeleteAsync();
        }

        foreach (var removed in write.Removed)
        {
            await db.Reactions.Where(r => r.MessageId == removed.MessageId && r.UserId == removed.UserId && r.Emoji == removed.Emoji).ExecuteDeleteAsync();
        }

        db.Reactions.AddRange(write.Added.Select(added => new Reaction
        {
            MessageId = added.MessageId,
            UserId = added.UserId,
            Emoji = added.Emoji,
            Revision = bases[added.ConversationId] + added.Offset,
        }));
        await db.SaveChangesAsync();
        return bases;
    }
}
