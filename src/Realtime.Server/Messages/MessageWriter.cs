using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;
using Realtime.Server.Delivery;
using Realtime.Server.Observability;

namespace Realtime.Server.Messages;

/// <summary>A validated send waiting for its turn in the next batch.</summary>
public sealed record PendingMessage(string SenderId, string ConversationId, string ClientMessageId, string Content, string? ReplyToMessageId = null) : PendingWrite
{
    internal TaskCompletionSource<SendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit: the sends that arrive while a transaction is in flight are written together in the
/// next one (<see cref="MessageLog"/>: one sequence allocation, one insert, one commit), then published
/// in sequence order and acknowledged. Nothing is acknowledged before its commit. A batch that fails,
/// and a send the batch did not store, are written again one send at a time, so one bad send cannot
/// fail the others and each refusal has its own reason.
/// Two stages, one task each: the writer commits batch N+1 while the publisher fans batch N out, so
/// the fan-out's CPU work and the commit's wait for the disk overlap. One publisher taking committed
/// batches in commit order keeps every conversation's messages in sequence order.
/// </summary>
public sealed partial class MessageWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<CommittedBatch> _committed = Channel.CreateUnbounded<CommittedBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly IServiceScopeFactory _scopes;
    private readonly IChatNotifier _notifier;
    private readonly ChangeCommit _changes;
    private readonly TimeProvider _clock;
    private readonly ILogger<MessageWriter> _logger;
    private readonly Task _loop;
    private readonly Task _publishing;

    public MessageWriter(IServiceScopeFactory scopes, IChatNotifier notifier, ChangeCommit changes, TimeProvider clock, ILogger<MessageWriter> logger)
    {
        _scopes = scopes;
        _notifier = notifier;
        _changes = changes;
        _clock = clock;
        _logger = logger;
        _loop = Task.Run(RunAsync);
        _publishing = Task.Run(PublishAsync);
    }

    public Task<SendResult> AppendAsync(PendingMessage message)
    {
        Enqueue(message);
        return message.Completion.Task;
    }

    /// <summary>Queues an edit, a delete or a reaction for the next batch; completes once it is durable and published.</summary>
    public Task<ChangeResult> ChangeAsync(PendingChange change)
    {
        Enqueue(change);
        return change.Completion.Task;
    }

    private void Enqueue(PendingWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw ChatException.Unavailable("The node is shutting down; send again.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await _publishing;
    }

    private async Task RunAsync()
    {
        // The loops start inside whichever call first needed the writer; without this every batch
        // would be a child of that one call's span, forever.
        Activity.Current = null;
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = new List<PendingMessage>();
            var changes = new List<PendingChange>();
            while (batch.Count + changes.Count < MaxBatch && reader.TryRead(out var write))
            {
                if (write is PendingMessage message)
                {
                    batch.Add(message);
                }
                else
                {
                    changes.Add((PendingChange)write);
                }
            }

            using var span = ChatTracing.StartBatch<PendingWrite>("realtime.commit", [.. batch, .. changes], m => m.TraceContext);
            var sent = batch.Count == 0 ? [] : await CommitOrFailAsync(batch);
            var changed = changes.Count == 0 ? [] : await CommitOrFailAsync(changes);
            _committed.Writer.TryWrite(new CommittedBatch(batch, sent, changed));
        }

        _committed.Writer.TryComplete();
    }

    private async Task<Dictionary<(string, string), SendResult>> CommitOrFailAsync(List<PendingMessage> batch)
    {
        try
        {
            return await CommitAsync(batch);
        }
        catch (Exception exception)
        {
            // Never let one batch stop the writer: fail what is still waiting and carry on.
            LogBatchFailed(_logger, batch.Count, exception);
            batch.ForEach(message => message.Completion.TrySetException(exception));
            return [];
        }
    }

    private async Task<List<ChangeOutcome>> CommitOrFailAsync(List<PendingChange> changes)
    {
        try
        {
            return await _changes.CommitAsync(changes);
        }
        catch (Exception exception)
        {
            LogBatchFailed(_logger, changes.Count, exception);
            changes.ForEach(change => change.Completion.TrySetException(exception));
            return [];
        }
    }

    private async Task PublishAsync()
    {
        Activity.Current = null;
        await foreach (var committed in _committed.Reader.ReadAllAsync())
        {
            try
            {
                using var span = ChatTracing.StartBatch<PendingWrite>("realtime.publish", [.. committed.Batch, .. committed.Changes.Select(c => c.Change)], m => m.TraceContext);
                await PublishAndAcknowledgeAsync(committed);
            }
            catch (Exception exception)
            {
                LogBatchFailed(_logger, committed.Batch.Count + committed.Changes.Count, exception);
                committed.Batch.ForEach(message => message.Completion.TrySetException(exception));
                committed.Changes.ForEach(outcome => outcome.Change.Completion.TrySetException(exception));
            }
        }
    }

    /// <summary>Writes the batch; returns what was stored, by (sender, clientMessageId). Sends it could not store have already failed.</summary>
    private async Task<Dictionary<(string, string), SendResult>> CommitAsync(List<PendingMessage> batch)
    {
        // The same (sender, clientMessageId) twice in one batch: the first is written, the others get its result.
        var firsts = batch.DistinctBy(m => (m.SenderId, m.ClientMessageId)).ToList();
        var results = new Dictionary<(string, string), SendResult>();
        List<PendingMessage> alone;
        try
        {
            foreach (var written in await WriteAsync(firsts))
            {
                results[(written.SenderId, written.ClientMessageId)] = new SendResult(written, IsNew: true);
            }

            // Not stored with the batch: an outsider's send, or one to a missing conversation, or (on
            // the providers that write all or nothing) one held back with them. Alone, each says why;
            // a batch of one already was alone.
            alone = firsts.FindAll(m => !results.ContainsKey((m.SenderId, m.ClientMessageId)));
        }
        catch (DbException exception) when (firsts.Count > 1)
        {
            // A constraint refused one of them, most likely a retry of a stored send: write them one
            // by one so the others are not refused with it.
            LogBatchRetried(_logger, firsts.Count, exception);
            alone = firsts;
        }
        catch (DbException exception)
        {
            alone = [];
            try
            {
                results[(firsts[0].SenderId, firsts[0].ClientMessageId)] = await RetriedOrThrowAsync(firsts[0], exception);
            }
            catch (Exception single)
            {
                firsts[0].Completion.TrySetException(single);
            }
        }
        catch (Exception exception)
        {
            // The database is unreachable or timed out: nothing was written, every send in the batch fails alike.
            firsts.ForEach(message => message.Completion.TrySetException(exception));
            return results;
        }

        foreach (var message in alone)
        {
            try
            {
                results[(message.SenderId, message.ClientMessageId)] = firsts.Count > 1 ? await WriteOneAsync(message) : throw await RefusalAsync(message);
            }
            catch (Exception single)
            {
                message.Completion.TrySetException(single);
            }
        }

        return results;
    }

    private async Task PublishAndAcknowledgeAsync(CommittedBatch committed)
    {
        // Publish before acknowledging, each conversation in revision order, as one batch: the backplane
        // then carries one message a batch, not one a send.
        var (batch, results) = (committed.Batch, committed.Results);
        var published = results.Values.Where(r => r.IsNew).Select(r => LogEntry.Created(r.Message))
            .Concat(committed.Changes.Select(c => c.Entry).OfType<LogEntry>())
            .OrderBy(e => e.ConversationId, StringComparer.Ordinal).ThenBy(e => e.Revision)
            .ToList();
        if (published.Count > 0)
        {
            await _notifier.LogChangedAsync(published);
        }

        foreach (var outcome in committed.Changes)
        {
            _ = outcome.Error is { } error ? outcome.Change.Completion.TrySetException(error) : outcome.Change.Completion.TrySetResult(outcome.Result!);
        }

        var firstOfKey = new HashSet<(string, string)>();
        foreach (var message in batch)
        {
            var key = (message.SenderId, message.ClientMessageId);
            if (results.TryGetValue(key, out var result))
            {
                message.Completion.TrySetResult(firstOfKey.Add(key) ? result : result with { IsNew = false });
            }
            else if (!firstOfKey.Add(key))
            {
                // A duplicate of a send that failed: it fails the same way.
                var failedFirst = batch.First(m => (m.SenderId, m.ClientMessageId) == key);
                _ = failedFirst.Completion.Task.ContinueWith(
                    t => message.Completion.TrySetException(t.Exception!.InnerExceptions), TaskScheduler.Default);
            }
        }
    }

    private async Task<SendResult> WriteOneAsync(PendingMessage message)
    {
        List<MessageDto> written;
        try
        {
            written = await WriteAsync([message]);
        }
        catch (DbException exception)
        {
            return await RetriedOrThrowAsync(message, exception);
        }

        return written.Count == 1 ? new SendResult(written[0], IsNew: true) : throw await RefusalAsync(message);
    }

    /// <summary>Why the log did not store a send on its own: its conversation is missing, or its sender is not a member.</summary>
    private async Task<ChatException> RefusalAsync(PendingMessage message)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        return await db.Conversations.AnyAsync(c => c.Id == message.ConversationId)
            ? ChatException.NotAMember("You are not a member of this conversation.")
            : ChatException.NotFound("No such conversation.");
    }

    /// <summary>A unique-index violation means the same send was stored meanwhile: that is the answer.</summary>
    private async Task<SendResult> RetriedOrThrowAsync(PendingMessage message, Exception exception)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var original = await db.Messages.AsNoTracking()
            .Where(m => m.SenderId == message.SenderId && m.ClientMessageId == message.ClientMessageId)
            .ToListAsync();
        return original.Count == 0 ? throw exception : new SendResult((await MessageViews.ToDtosAsync(db, original, CancellationToken.None))[0], IsNew: false);
    }

    private async Task<List<MessageDto>> WriteAsync(List<PendingMessage> messages)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var sends = messages.ConvertAll(m => new NewMessage(Ids.NewId(), m.ConversationId, m.SenderId, m.ClientMessageId, m.Content, m.ReplyToMessageId));
        var stored = await MessageLog.AppendAsync(db, sends, _clock.UtcNowForStorage(), CancellationToken.None);
        return stored.ConvertAll(MessageViews.Created);
    }

    private sealed record CommittedBatch(List<PendingMessage> Batch, Dictionary<(string, string), SendResult> Results, List<ChangeOutcome> Changes);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} writes failed unexpectedly")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} sends failed together; retrying them one at a time")]
    private static partial void LogBatchRetried(ILogger logger, int count, Exception exception);
}
