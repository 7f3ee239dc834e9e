using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Persistence;
using Realtime.Server.Delivery;
using Realtime.Server.Errors;

namespace Realtime.Server.Messages;

/// <summary>The outcome of one queued change: its result and the log entry to deliver, or why it was refused.</summary>
public sealed record ChangeOutcome(PendingChange Change, ChangeResult? Result, Exception? Error)
{
    public LogEntry? Entry => Result is { Changed: true } result ? LogEntry.Updated(result.Message) : null;
}

/// <summary>
/// Writes a batch of message changes in one transaction: locks the conversations' counters, reads the touched
/// messages, their reactions and the actors' roles, works the batch out in memory (<see cref="ChangePlan"/>),
/// then takes each conversation's next revisions and writes each touched message once. Each write still
/// checks that the message's revision is the one read and its actors are members; should that ever fail,
/// the batch is rolled back and worked out again from a fresh read, so nothing is half-written.
/// </summary>
public sealed partial class ChangeCommit(IServiceScopeFactory scopes, IOptions<ChatOptions> options, TimeProvider clock, ILogger<ChangeCommit> logger)
{
    private const int Attempts = 4;

    public async Task<List<ChangeOutcome>> CommitAsync(IReadOnlyList<PendingChange> changes)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryCommitAsync(changes);
            }
            catch (Exception exception) when (attempt < Attempts && exception is ConcurrentChangeException or DbUpdateException)
            {
                LogConflict(logger, changes.Count, attempt);
            }
            catch (ConcurrentChangeException)
            {
                throw ChatException.Unavailable("The message kept changing while this change was written; try again.");
            }
        }
    }

    private async Task<List<ChangeOutcome>> TryCommitAsync(IReadOnlyList<PendingChange> changes)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        // Take the conversations' counter rows first, in one order for every writer (sends lock them too):
        // what is read next cannot change before this commits, so reactions piling onto one message from
        // every node queue here instead of failing each other's writes.
        foreach (var conversationId in changes.Select(c => c.ConversationId).Distinct().Order(StringComparer.Ordinal))
        {
            await db.Conversations.Where(c => c.Id == conversationId)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastRevision, c => c.LastRevision));
        }

        var plan = await ReadAsync(db, changes, clock.UtcNowForStorage());
        var bases = new Dictionary<string, long>(StringComparer.Ordinal);
        if (plan.RevisionsTaken.Count > 0)
        {
            foreach (var (conversationId, taken) in plan.RevisionsTaken)
            {
                await db.Conversations.Where(c => c.Id == conversationId)
                    .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastRevision, c => c.LastRevision + taken));
                bases[conversationId] = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastRevision).SingleAsync() - taken;
            }

            foreach (var message in plan.Touched)
            {
                await WriteAsync(db, message, bases[message.Row.ConversationId]);
            }

            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        return plan.Steps.ConvertAll(step => step.Refusal is { } refusal
            ? new ChangeOutcome(step.Change, null, refusal)
            : new ChangeOutcome(step.Change, new ChangeResult(step.State!.ToDto(step.State.RevisionAfter(bases)), step.Changed), null));
    }

    private async Task<ChangePlan> ReadAsync(ChatDbContext db, IReadOnlyList<PendingChange> changes, DateTime now)
    {
        var plan = new ChangePlan(options.Value, now);
        var conversationIds = changes.Select(c => c.ConversationId).Distinct().ToList();
        var actorIds = changes.Select(c => c.ActorId).Distinct().ToList();
        var messageIds = changes.Select(c => c.MessageId).Distinct().ToList();
        foreach (var id in await db.Conversations.AsNoTracking().Where(c => conversationIds.Contains(c.Id)).Select(c => c.Id).ToListAsync())
        {
            plan.KnowConversation(id);
        }

        foreach (var member in await db.Members.AsNoTracking()
            .Where(m => conversationIds.Contains(m.ConversationId) && actorIds.Contains(m.UserId))
            .Select(m => new { m.ConversationId, m.UserId, m.Role }).ToListAsync())
        {
            plan.KnowMember(member.ConversationId, member.UserId, member.Role);
        }

        var rows = await db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)).ToListAsync();
        var reactions = (await db.Reactions.AsNoTracking().Where(r => messageIds.Contains(r.MessageId)).OrderBy(r => r.Revision).ToListAsync())
            .ToLookup(r => r.MessageId, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            plan.KnowMessage(row, reactions[row.Id].Select(r => (r.Emoji, r.UserId, r.Revision)));
        }

        plan.Plan(changes);
        return plan;
    }

    private static async Task WriteAsync(ChatDbContext db, MessageState message, long batchBase)
    {
        var row = message.Row;
        var revision = batchBase + message.LastOffset;
        var actors = message.Actors.ToList();
        // Written only if nobody changed it since the read, and every actor is still a member.
        var written = await db.Messages
            .Where(m => m.Id == row.Id && m.Revision == message.ReadRevision
                && db.Members.Count(x => x.ConversationId == row.ConversationId && actors.Contains(x.UserId)) == actors.Count)
            .ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Content, row.Content)
                .SetProperty(m => m.EditedAt, row.EditedAt)
                .SetProperty(m => m.DeletedAt, row.DeletedAt)
                .SetProperty(m => m.Revision, revision));
        if (written != 1)
        {
            throw new ConcurrentChangeException();
        }

        if (row.DeletedAt is not null && message.Reactions.Count == 0 && message.Removed.Count > 0)
        {
            await db.Reactions.Where(r => r.MessageId == row.Id).ExecuteDeleteAsync();
        }
        else
        {
            foreach (var removed in message.Removed)
            {
                await db.Reactions.Where(r => r.MessageId == row.Id && r.UserId == removed.UserId && r.Emoji == removed.Emoji).ExecuteDeleteAsync();
            }
        }

        db.Reactions.AddRange(message.Added.Select(added => new Reaction
        {
            MessageId = row.Id,
            UserId = added.UserId,
            Emoji = added.Emoji,
            Revision = batchBase + added.Offset,
        }));
    }

    private sealed class ConcurrentChangeException : Exception;

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} message changes met a concurrent change (attempt {Attempt}); reading again")]
    private static partial void LogConflict(ILogger logger, int count, int attempt);
}
