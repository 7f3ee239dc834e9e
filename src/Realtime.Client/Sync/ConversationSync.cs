using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>
/// Keeps the followed conversations caught up: takes live messages, lists the user's conversations,
/// reads what is missing, and writes what the application may see to the event channel, in order.
/// Every change of the ledger and every event written happens under one lock, so the channel's order
/// is the order of the ledger.
/// </summary>
internal sealed class ConversationSync(ChatClient hub, ChatSyncOptions options, ChannelWriter<ChatEvent> events, ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ConversationLedger _ledger = new();

    private readonly Dictionary<string, Task<int>> _reading = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _targets = new(StringComparer.Ordinal);

    // Listing and reconciling one at a time: an older list applied after a newer one would undo a join.
    private readonly SemaphoreSlim _listing = new(1, 1);
    private readonly SemaphoreSlim _reads = new(options.MaxConcurrentReads, options.MaxConcurrentReads);
    private readonly CoalescedRun _refresh = new();
    private bool _firstListDone;

    public IReadOnlyDictionary<string, SyncPosition> Positions
    {
        get
        {
            lock (_gate)
            {
                return _ledger.Positions;
            }
        }
    }

    public void Dispose()
    {
        _listing.Dispose();
        _reads.Dispose();
    }

    public void Publish(ChatEvent chatEvent)
    {
        lock (_gate)
        {
            events.TryWrite(chatEvent);
        }
    }

    /// <summary>A message from live delivery or a send's acknowledgement.</summary>
    public void AcceptLive(MessageDto message, CancellationToken lifetime)
    {
        long? gapThrough = null;
        var unknown = false;
        lock (_gate)
        {
            var order = _ledger.Find(message.ConversationId);
            if (order is null)
            {
                // The server sends only members' messages: this is a conversation not listed yet.
                unknown = !_ledger.HasLeft(message.ConversationId);
            }
            else
            {
                var before = order.Position.Revision;
                WriteChanges(order.AcceptLive(message), recovered: false);
                if (order.HasGap)
                {
                    SyncLog.Gap(logger, message.ConversationId, before, message.Revision);
                    gapThrough = order.HighestRevision;
                }
            }
        }

        if (unknown)
        {
            RequestRefresh(lifetime);
        }

        if (gapThrough is { } through)
        {
            _ = CatchUpAsync(message.ConversationId, through, lifetime);
        }
    }

    public void ConversationUpdated(ConversationDto conversation, CancellationToken lifetime)
    {
        lock (_gate)
        {
            if (_ledger.Find(conversation.Id) is not null)
            {
                events.TryWrite(new ConversationChanged(conversation));
            }
        }

        // Whether the user was added or removed shows in their own list of conversations.
        RequestRefresh(lifetime);
    }

    /// <summary>Lists the user's conversations and reads every one that is behind, until all are complete.</summary>
    /// <returns>How many conversations were read and how many messages they handed on.</returns>
    public async Task<(int Conversations, int Messages)> SyncAsync(CancellationToken cancellationToken)
    {
        Reconciliation reconciliation;
        await _listing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var conversations = await hub.GetConversations(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                reconciliation = _ledger.Reconcile(conversations, StartOf);
                _firstListDone = true;
                foreach (var conversation in reconciliation.Joined)
                {
                    var start = _ledger.Find(conversation.Id)!.Position.Revision;
                    SyncLog.Joined(logger, conversation.Id, start);
                    events.TryWrite(new ConversationJoined(conversation));
                }

                foreach (var id in reconciliation.Left)
                {
                    SyncLog.Left(logger, id);
                    events.TryWrite(new ConversationLeft(id));
                }
            }
        }
        finally
        {
            _listing.Release();
        }

        var read = await Task.WhenAll(reconciliation.Behind.Select(target => CatchUpFullyAsync(target, cancellationToken))).ConfigureAwait(false);
        return (read.Length, read.Sum());
    }

    private SyncPosition StartOf(ConversationDto conversation) =>
        options.Positions.TryGetValue(conversation.Id, out var position) ? position
        : !_firstListDone && options.FirstSyncStart == HistoryStart.Latest ? new SyncPosition(conversation.LastSequence, conversation.LastRevision)
        : SyncPosition.Start;

    private void RequestRefresh(CancellationToken lifetime) => _refresh.Request(RefreshAsync, lifetime);

    private async Task RefreshAsync(CancellationToken lifetime)
    {
        try
        {
            await SyncAsync(lifetime).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !lifetime.IsCancellationRequested)
        {
            // A lost connection resyncs everything on reconnect; nothing is lost by giving up here.
            SyncLog.ResyncInterrupted(logger, exception);
        }
    }

    private async Task<int> CatchUpFullyAsync(CatchUpTarget target, CancellationToken cancellationToken)
    {
        var handedOn = 0;
        // A read that was under way on a connection that has since dropped ends early; read again on this one.
        while (!Reached(target) && hub.State == HubConnectionState.Connected)
        {
            handedOn += await CatchUpAsync(target.ConversationId, target.Through, cancellationToken).ConfigureAwait(false);
            if (!Reached(target))
            {
                await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }

        return Reached(target) ? handedOn : throw new InvalidOperationException("The connection dropped during the resync.");
    }

    private bool Reached(CatchUpTarget target)
    {
        lock (_gate)
        {
            return _ledger.Find(target.ConversationId) is not { } order || (order.Position.Revision >= target.Through && !order.HasGap);
        }
    }

    /// <summary>One reader per conversation: a second request raises the target of the read under way.</summary>
    private Task<int> CatchUpAsync(string conversationId, long through, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _targets[conversationId] = Math.Max(through, _targets.GetValueOrDefault(conversationId));
            if (!_reading.TryGetValue(conversationId, out var reading))
            {
                reading = new ConversationReader(this, hub, options, _reads, logger, conversationId).RunAsync(cancellationToken);
                _reading[conversationId] = reading;
            }

            return reading;
        }
    }

    private void WriteChanges(IReadOnlyList<OrderedChange> changes, bool recovered)
    {
        foreach (var (message, isNew) in changes)
        {
            events.TryWrite(isNew ? new MessageEvent(message, recovered) : new MessageChanged(message, recovered));
        }
    }

    // The reader's view of the ledger, each step under the lock.

    /// <summary>Where to read from next, or null once the target is handed on (the reader is then unregistered).</summary>
    internal long? NextReadAfter(string conversationId)
    {
        lock (_gate)
        {
            var order = _ledger.Find(conversationId);
            if (order is null || (order.Position.Revision >= _targets[conversationId] && !order.HasGap))
            {
                StopReadingLocked(conversationId);
                return null;
            }

            return order.Position.Revision;
        }
    }

    internal int AcceptRead(string conversationId, IReadOnlyList<MessageDto> page)
    {
        lock (_gate)
        {
            if (_ledger.Find(conversationId) is not { } order)
            {
                return 0;
            }

            // An empty page: the server has nothing newer, so nothing more is worth waiting for.
            var released = page.Count == 0 ? order.Settle() : order.AcceptRead(page);
            WriteChanges(released, recovered: true);
            return released.Count;
        }
    }

    internal void LeftWhileReading(string conversationId)
    {
        lock (_gate)
        {
            if (_ledger.Leave(conversationId))
            {
                SyncLog.Left(logger, conversationId);
                events.TryWrite(new ConversationLeft(conversationId));
            }
        }
    }

    internal void StopReading(string conversationId)
    {
        lock (_gate)
        {
            StopReadingLocked(conversationId);
        }
    }

    private void StopReadingLocked(string conversationId)
    {
        _reading.Remove(conversationId);
        _targets.Remove(conversationId);
    }
}
