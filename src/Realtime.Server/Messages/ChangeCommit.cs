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
/// then writes it (<see cref="ChangeBatch"/>: on SQLite and PostgreSQL a statement each for the revisions, the
/// messages, and the reactions removed and added, whatever the batch's size). Each message write still checks
/// that the message's revision is the one read and its actors are members; should that ever fail, the batch is
/// rolled back and worked out again from a fresh read, so nothing is half-written.
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
        var (outcomes, wrote) = await WriteAsync(db, changes);
        if (wrote)
        {
            await transaction.CommitAsync();
        }

        return outcomes;
    }

    /// <summary>
    /// Works the batch out and writes it inside the caller's transaction, which the caller commits; throws when a
    /// message or a membership changed since the read. Wrote is false when the batch changed nothing.
    /// </summary>
    internal async Task<(List<ChangeOutcome> Outcomes, bool Wrote)> WriteAsync(ChatDbContext db, IReadOnlyList<PendingChange> changes)
    {
        // Take the conversations' counter rows first, in one order for every writer (sends lock them too):
        // what is read next cannot change before this commits, so reactions piling onto one message from
        // every node queue here instead of failing each other's writes.
        var conversationIds = changes.Select(c => c.ConversationId).Distinct().Order(StringComparer.Ordinal).ToList();
        await ChangeBatch.LockAsync(db, conversationIds);

        var now = clock.UtcNowForStorage();
        var plan = await ReadAsync(db, changes, conversationIds, now);
        var bases = new Dictionary<string, long>(StringComparer.Ordinal);
        if (plan.RevisionsTaken.Count > 0)
        {
            bases = await ChangeBatch.WriteAsync(db, ToWrite(plan, now)) ?? throw new ConcurrentChangeException();
        }

        return (plan.Steps.ConvertAll(step => step.Refusal is { } refusal
            ? new ChangeOutcome(step.Change, null, refusal)
            : new ChangeOutcome(step.Change, new ChangeResult(step.State!.ToDto(step.State.RevisionAfter(bases)), step.Changed), null)), plan.RevisionsTaken.Count > 0);
    }

    private async Task<ChangePlan> ReadAsync(ChatDbContext db, IReadOnlyList<PendingChange> changes, List<string> conversationIds, DateTime now)
    {
        var plan = new ChangePlan(options.Value, now);
        var actorIds = changes.Select(c => c.ActorId).Distinct().ToList();
        var messageIds = changes.Select(c => c.MessageId).Distinct().ToList();
        var queries = ChangeReads.For(db);
        await foreach (var id in queries.Conversations(db, conversationIds))
        {
            plan.KnowConversation(id);
        }

        await foreach (var member in queries.Members(db, conversationIds, actorIds))
        {
            plan.KnowMember(member.ConversationId, member.UserId, member.Role);
        }

        var rows = new List<Message>(messageIds.Count);
        await foreach (var row in queries.Messages(db, messageIds))
        {
            rows.Add(row);
        }

        var reactions = new List<Reaction>();
        await foreach (var reaction in queries.Reactions(db, messageIds))
        {
            reactions.Add(reaction);
        }

        var byMessage = reactions.ToLookup(r => r.MessageId, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            plan.KnowMessage(row, byMessage[row.Id].Select(r => (r.Emoji, r.UserId, r.Revision)));
        }

        plan.Plan(changes);
        return plan;
    }

    /// <summary>The plan as rows to write: a deleted message loses every reaction, the others just those removed.</summary>
    private static ChangeWrite ToWrite(ChangePlan plan, DateTime now)
    {
        var touched = plan.Touched.ToList();
        var cleared = touched.Where(m => m.Row.DeletedAt is not null && m.Removed.Count > 0).Select(m => m.Row.Id).ToList();
        return new ChangeWrite(
            now,
            plan.RevisionsTaken.Select(t => (t.Key, t.Value)).ToList(),
            touched.ConvertAll(m => new MessageRewrite(m.Row.Id, m.Row.ConversationId, m.ReadRevision, m.Row.Content, m.Row.EditedAt, m.Row.DeletedAt, m.LastOffset, m.Actors)),
            touched.Where(m => m.Row.DeletedAt is null).SelectMany(m => m.Removed.Select(r => new ReactionKey(m.Row.Id, r.UserId, r.Emoji))).ToList(),
            cleared,
            touched.SelectMany(m => m.Added.Select(r => new ReactionAdd(m.Row.Id, m.Row.ConversationId, r.UserId, r.Emoji, r.Offset))).ToList());
    }

    private sealed class ConcurrentChangeException : Exception;

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} message changes met a concurrent change (attempt {Attempt}); reading again")]
    private static partial void LogConflict(ILogger logger, int count, int attempt);
}
