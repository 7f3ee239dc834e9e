using Microsoft.EntityFrameworkCore;

namespace Realtime.Persistence;

/// <summary>A send to store: everything but its sequence, which the log allocates.</summary>
public readonly record struct NewMessage(string Id, string ConversationId, string SenderId, string ClientMessageId, string Content, string? ReplyToMessageId = null);

/// <summary>
/// Appends a batch of sends to their conversations' logs: the ones whose conversation exists and
/// whose sender is a member get the next sequences (and revisions) of their conversation, in list order. The
/// invariants hold whatever the outcome: sequences stay gap-free, and a batch the database refuses
/// (a duplicate client message id, an outage) stores nothing.
/// </summary>
public static class MessageLog
{
    /// <summary>
    /// Stores the batch and returns the stored rows. A send missing from the result was not stored:
    /// it may have been refused, or held back with the rest of its batch, so the caller asks again for it alone.
    /// </summary>
    public static async Task<List<Message>> AppendAsync(ChatDbContext db, IReadOnlyList<NewMessage> sends, DateTime sentAt, CancellationToken cancellationToken)
    {
        if (sends.Count == 0)
        {
            return [];
        }

        if (db.Provider == DatabaseProvider.PostgreSql)
        {
            return await PostgresBatch.AppendAsync(db, sends, sentAt, cancellationToken);
        }

        // Inside a caller's transaction (a batch that also carries changes) the caller commits; a refusal
        // returns nothing and the caller rolls its transaction back.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var byConversation = sends.GroupBy(m => m.ConversationId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal) // one lock order for every writer
            .Select(g => (Conversation: g.Key, Sends: g.ToList()))
            .ToList();
        var last = await SequenceAllocator.AllocateAsync(db, byConversation.ConvertAll(g => (g.Conversation, g.Sends.Count)), cancellationToken);
        if (last.Count != byConversation.Count)
        {
            return []; // a conversation does not exist; disposing the transaction rolls the others back
        }

        var rows = new List<Message>(sends.Count);
        foreach (var (conversation, inConversation) in byConversation)
        {
            var sequence = last[conversation].Sequence - inConversation.Count;
            var revision = last[conversation].Revision - inConversation.Count;
            rows.AddRange(inConversation.Select(send => new Message
            {
                Revision = ++revision,
                CreatedRevision = revision,
                ReplyToMessageId = send.ReplyToMessageId,
                Id = send.Id,
                ConversationId = conversation,
                Sequence = ++sequence,
                SenderId = send.SenderId,
                ClientMessageId = send.ClientMessageId,
                Content = send.Content,
                SentAt = sentAt,
            }));
        }

        // The statement skips rows whose sender is not a member, and their sequences were already
        // taken: the whole batch is rolled back rather than leave a gap.
        if (await MessageAppender.AppendAsync(db, rows, cancellationToken) != rows.Count)
        {
            return [];
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return rows;
    }
}
