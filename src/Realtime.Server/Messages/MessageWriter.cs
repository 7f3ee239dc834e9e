using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;
using Realtime.Server.Notifications;

namespace Realtime.Server.Messages;

/// <summary>A validated send waiting for its turn in the next batch.</summary>
public sealed record PendingMessage(string SenderId, string ConversationId, string ClientMessageId, string Content)
{
    internal TaskCompletionSource<SendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit: the sends that arrive while a transaction is in flight are written together in the
/// next one (one sequence UPDATE per conversation, one INSERT batch, one commit), then published in
/// sequence order and acknowledged. Nothing is acknowledged before its commit. A batch that fails is
/// retried one send at a time, so one bad send cannot fail the others.
/// Two stages, one task each: the writer commits batch N+1 while the publisher fans batch N out, so
/// the fan-out's CPU work and the commit's wait for the disk overlap. One publisher taking committed
/// batches in commit order keeps every conversation's messages in sequence order.
/// </summary>
public sealed partial class MessageWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<PendingMessage> _queue = Channel.CreateUnbounded<PendingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<CommittedBatch> _committed = Channel.CreateUnbounded<CommittedBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly IServiceScopeFactory _scopes;
    private readonly IChatNotifier _notifier;
    private readonly TimeProvider _clock;
    private readonly ILogger<MessageWriter> _logger;
    private readonly Task _loop;
    private readonly Task _publishing;

    public MessageWriter(IServiceScopeFactory scopes, IChatNotifier notifier, TimeProvider clock, ILogger<MessageWriter> logger)
    {
        _scopes = scopes;
        _notifier = notifier;
        _clock = clock;
        _logger = logger;
        _loop = Task.Run(RunAsync);
        _publishing = Task.Run(PublishAsync);
    }

    public Task<SendResult> AppendAsync(PendingMessage message)
    {
        if (!_queue.Writer.TryWrite(message))
        {
            throw ChatException.Unavailable("The node is shutting down; send again.");
        }

        return message.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await _publishing;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = new List<PendingMessage>();
            while (batch.Count < MaxBatch && reader.TryRead(out var message))
            {
                batch.Add(message);
            }

            try
            {
                _committed.Writer.TryWrite(new CommittedBatch(batch, await CommitAsync(batch)));
            }
            catch (Exception exception)
            {
                // Never let one batch stop the writer: fail what is still waiting and carry on.
                LogBatchFailed(_logger, batch.Count, exception);
                batch.ForEach(message => message.Completion.TrySetException(exception));
            }
        }

        _committed.Writer.TryComplete();
    }

    private async Task PublishAsync()
    {
        await foreach (var committed in _committed.Reader.ReadAllAsync())
        {
            try
            {
                await PublishAndAcknowledgeAsync(committed.Batch, committed.Results);
            }
            catch (Exception exception)
            {
                LogBatchFailed(_logger, committed.Batch.Count, exception);
                committed.Batch.ForEach(message => message.Completion.TrySetException(exception));
            }
        }
    }

    /// <summary>Writes the batch; returns what was stored, by (sender, clientMessageId). Sends it could not store have already failed.</summary>
    private async Task<Dictionary<(string, string), SendResult>> CommitAsync(List<PendingMessage> batch)
    {
        // The same (sender, clientMessageId) twice in one batch: the first is written, the others get its result.
        var firsts = batch.DistinctBy(m => (m.SenderId, m.ClientMessageId)).ToList();
        var results = new Dictionary<(string, string), SendResult>();
        try
        {
            foreach (var written in await WriteAsync(firsts))
            {
                results[(written.SenderId, written.ClientMessageId)] = new SendResult(written, IsNew: true);
            }
        }
        catch (Exception exception) when (exception is DbException or ChatException && firsts.Count > 1)
        {
            // A constraint or a membership check refused one of them (most likely a retry of a stored
            // send, or a non-member): write them one by one so the others are not refused with it.
            LogBatchRetried(_logger, firsts.Count, exception);
            foreach (var message in firsts)
            {
                try
                {
                    results[(message.SenderId, message.ClientMessageId)] = await WriteOneAsync(message);
                }
                catch (Exception single)
                {
                    message.Completion.TrySetException(single);
                }
            }
        }
        catch (DbException exception)
        {
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
        }

        return results;
    }

    private async Task PublishAndAcknowledgeAsync(List<PendingMessage> batch, Dictionary<(string, string), SendResult> results)
    {
        // Publish before acknowledging, each conversation in sequence order, as one batch: the backplane
        // then carries one message a batch, not one a send.
        var published = results.Values.Where(r => r.IsNew).Select(r => r.Message)
            .OrderBy(m => m.ConversationId, StringComparer.Ordinal).ThenBy(m => m.Sequence)
            .ToList();
        if (published.Count > 0)
        {
            await _notifier.MessagesSentAsync(published);
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
        try
        {
            return new SendResult((await WriteAsync([message]))[0], IsNew: true);
        }
        catch (DbException exception)
        {
            return await RetriedOrThrowAsync(message, exception);
        }
    }

    /// <summary>A unique-index violation means the same send was stored meanwhile: that is the answer.</summary>
    private async Task<SendResult> RetriedOrThrowAsync(PendingMessage message, Exception exception)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var original = await db.Messages.AsNoTracking()
            .Where(m => m.SenderId == message.SenderId && m.ClientMessageId == message.ClientMessageId)
            .Select(MessageService.AsDto)
            .SingleOrDefaultAsync();
        return original is null ? throw exception : new SendResult(original, IsNew: false);
    }

    private async Task<List<MessageDto>> WriteAsync(List<PendingMessage> messages)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var now = _clock.UtcNowForStorage();
        var byConversation = messages.GroupBy(m => m.ConversationId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal) // one lock order for every writer
            .Select(g => (Conversation: g.Key, Messages: g.ToList()))
            .ToList();
        var last = await SequenceAllocator.AllocateAsync(db, byConversation.ConvertAll(g => (g.Conversation, g.Messages.Count)), CancellationToken.None);
        var rows = new List<Message>(messages.Count);
        foreach (var (conversation, sends) in byConversation)
        {
            var sequence = last.TryGetValue(conversation, out var end) ? end - sends.Count : throw ChatException.NotFound("No such conversation.");
            foreach (var message in sends)
            {
                rows.Add(new Message
                {
                    Id = Ids.NewId(),
                    ConversationId = conversation,
                    Sequence = ++sequence,
                    SenderId = message.SenderId,
                    ClientMessageId = message.ClientMessageId,
                    Content = message.Content,
                    SentAt = now,
                });
            }
        }

        // Rows whose sender is not a member are skipped by the statement; the rollback undoes the
        // sequences, and a batch is then retried one send at a time so only the outsider is refused.
        if (await MessageAppender.AppendAsync(db, rows, CancellationToken.None) != rows.Count)
        {
            throw ChatException.NotAMember("You are not a member of this conversation.");
        }

        await transaction.CommitAsync();
        return rows.ConvertAll(MessageService.ToDto);
    }

    private sealed record CommittedBatch(List<PendingMessage> Batch, Dictionary<(string, string), SendResult> Results);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} sends failed unexpectedly")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} sends failed together; retrying them one at a time")]
    private static partial void LogBatchRetried(ILogger logger, int count, Exception exception);
}
