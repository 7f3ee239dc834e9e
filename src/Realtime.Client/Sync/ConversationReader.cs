using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>Pages <c>GetChanges</c> for one conversation until every change through the revision it was asked to reach is handed on.</summary>
internal sealed class ConversationReader(
    ConversationSync sync, ChatClient hub, ChatSyncOptions options, SemaphoreSlim reads, ILogger logger, string conversationId)
{
    /// <returns>How many messages the reads handed on.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var handedOn = 0;
        while (sync.NextReadAfter(conversationId) is { } after)
        {
            try
            {
                var page = await ReadAsync(after, cancellationToken).ConfigureAwait(false);
                handedOn += sync.AcceptRead(conversationId, page);
                if (page.Count == 0)
                {
                    // Nothing after the position, yet more is awaited: the read raced a commit.
                    await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (HubException exception) when (ErrorCode.Of(exception) == ChatErrorCodes.NotAMember)
            {
                sync.LeftWhileReading(conversationId);
            }
            catch (HubException exception) when (ErrorCode.IsTransient(exception))
            {
                SyncLog.ReadRefused(logger, conversationId, exception);
                await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The connection is gone: its reconnect resyncs this conversation again.
                SyncLog.ReadInterrupted(logger, conversationId, exception);
                sync.StopReading(conversationId);
                return handedOn;
            }
            catch (OperationCanceledException)
            {
                sync.StopReading(conversationId);
                throw;
            }
        }

        return handedOn;
    }

    private async Task<IReadOnlyList<MessageDto>> ReadAsync(long after, CancellationToken cancellationToken)
    {
        await reads.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await hub.GetChanges(conversationId, after, options.PageSize, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            reads.Release();
        }
    }
}
