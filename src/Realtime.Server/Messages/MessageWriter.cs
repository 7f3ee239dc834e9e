using System.Diagnostics;
using System.Threading.Channels;
using Realtime.Contracts;
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
/// Group commit: the sends and changes that arrive while a transaction is in flight are written together
/// in the next one (<see cref="SendCommit"/>, <see cref="ChangeCommit"/>; on SQLite both in one, <see cref="JointCommit"/>), then published in revision
/// order and acknowledged. Nothing is acknowledged before its commit.
/// Two stages, one task each: the writer commits batch N+1 while the publisher fans batch N out, so
/// the fan-out's CPU work and the commit's wait for the disk overlap. One publisher taking committed
/// batches in commit order keeps every conversation's messages in sequence order.
/// </summary>
public sealed partial class MessageWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<CommittedBatch> _committed = Channel.CreateUnbounded<CommittedBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly IChatNotifier _notifier;
    private readonly SendCommit _sends;
    private readonly ChangeCommit _changes;
    private readonly JointCommit _joint;
    private readonly ILogger<MessageWriter> _logger;
    private readonly Task _loop;
    private readonly Task _publishing;

    public MessageWriter(IServiceScopeFactory scopes, IChatNotifier notifier, ChangeCommit changes, TimeProvider clock, ILogger<MessageWriter> logger)
    {
        _notifier = notifier;
        _sends = new SendCommit(scopes, clock, logger);
        _changes = changes;
        _joint = new JointCommit(scopes, _sends, changes, logger);
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
            var joint = batch.Count > 0 && changes.Count > 0 ? await _joint.TryCommitAsync(batch, changes) : null;
            var sent = joint?.Sent ?? (batch.Count == 0 ? [] : await CommitOrFailAsync(batch));
            var changed = joint?.Changed ?? (changes.Count == 0 ? [] : await CommitOrFailAsync(changes));
            _committed.Writer.TryWrite(new CommittedBatch(batch, sent, changed));
        }

        _committed.Writer.TryComplete();
    }

    private async Task<Dictionary<(string, string), SendResult>> CommitOrFailAsync(List<PendingMessage> batch)
    {
        try
        {
            return await _sends.CommitAsync(batch);
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

    private sealed record CommittedBatch(List<PendingMessage> Batch, Dictionary<(string, string), SendResult> Results, List<ChangeOutcome> Changes);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} writes failed unexpectedly")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

}
