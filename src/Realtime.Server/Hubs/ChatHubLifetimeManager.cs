using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Server.Messages;

namespace Realtime.Server.Hubs;

/// <summary>
/// SignalR's own lifetime manager (in memory on one node, the Redis backplane on several) for every
/// send, plus this node's connections and their groups, so that committed messages reach each member
/// here in one write: a connection's messages go out together, each message serialized once per
/// protocol. A send per message would cost every member a write, a flush and, unless they happen to
/// coalesce, a socket send per message.
/// Each conversation's messages reach its members here in sequence order with no gap, whichever node
/// committed them: every node publishes on its own, so an earlier message from another node can arrive
/// after a later one from this node. A message ahead of a gap is held back until the gap fills, and a
/// gap still open after <see cref="ChatOptions.DeliveryGapWait"/> (a lost publish, Redis away) is read
/// back from the database.
/// Groups are only ever changed on the node that holds the connection (the hub for its caller,
/// <see cref="LocalMembershipApplier"/> for this node's connections), which keeps the map exact.
/// </summary>
public sealed partial class ChatHubLifetimeManager : HubLifetimeManager<ChatHub>, IDisposable
{
    private readonly HubLifetimeManager<ChatHub> _inner;
    private readonly MissedMessages _missed;
    private readonly TimeProvider _clock;
    private readonly ILogger<ChatHubLifetimeManager> _logger;
    private readonly TimeSpan _gapWait;
    private readonly int _maxGapFill;
    private readonly ConcurrentDictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConversationGroup> _groups = new(StringComparer.Ordinal);

    // Group changes are rare next to sends: one lock keeps a closing connection from being added back
    // to a group, and an emptied group from being dropped while a connection joins it.
    private readonly Lock _membership = new();

    // One writer for every batch, this node's own and the other nodes' alike: batches that queue up
    // while it writes go out together, so on N nodes a member still gets one write for what arrived
    // meanwhile rather than one per node it came from.
    private readonly Channel<PendingBatch> _batches = Channel.CreateUnbounded<PendingBatch>(new UnboundedChannelOptions { SingleReader = true });

    // The writer's alone: the groups holding messages back behind a gap, and what wakes it to read a gap back.
    private readonly HashSet<ConversationGroup> _holding = [];
    private readonly ITimer _gapTimer;

    internal ChatHubLifetimeManager(
        HubLifetimeManager<ChatHub> inner, MissedMessages missed, IOptions<ChatOptions> options, TimeProvider clock, ILogger<ChatHubLifetimeManager> logger)
    {
        _inner = inner;
        _missed = missed;
        _clock = clock;
        _logger = logger;
        _gapWait = options.Value.DeliveryGapWait;
        _maxGapFill = options.Value.MaxDeliveryGapFill;
        _gapTimer = clock.CreateTimer(_ => _batches.Writer.TryWrite(PendingBatch.GapCheck), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // Ends once disposal completes the queue and what is queued is written.
        _ = Task.Run(WriteBatchesAsync);
    }

    /// <summary>
    /// Writes a committed batch to the members of its conversations connected to this node, each
    /// connection's messages in sequence order within a conversation; completes once they are written,
    /// or held back behind an earlier message still on its way.
    /// </summary>
    public Task SendMessagesAsync(IReadOnlyList<MessageDto> messages)
    {
        var batch = new PendingBatch(messages);
        return _batches.Writer.TryWrite(batch) ? batch.Written.Task : Task.CompletedTask;
    }

    /// <summary>
    /// Adds a connection to a conversation's group. <paramref name="lastSequence"/> is the conversation's
    /// last sequence as read before the join: when the connection is the conversation's first member
    /// here, delivery here starts after it, since the joiner reads what came before from the database.
    /// </summary>
    public Task AddToConversationAsync(string connectionId, string conversationId, long lastSequence, CancellationToken cancellationToken = default) =>
        JoinAsync(connectionId, ChatGroups.Conversation(conversationId), lastSequence, cancellationToken);

    private async Task WriteBatchesAsync()
    {
        var reader = _batches.Reader;
        while (await reader.WaitToReadAsync())
        {
            var now = _clock.GetTimestamp();
            var batches = new List<PendingBatch>();
            var ready = new Deliveries();
            while (reader.TryRead(out var batch))
            {
                batches.Add(batch);
                foreach (var message in batch.Messages)
                {
                    Admit(message, ready, now);
                }

                if (batch.FillOf is { } filled)
                {
                    EndFill(filled, ready, now);
                }
            }

            StartOverdueFills(ready, now);
            try
            {
                await WriteAsync(ready);
                batches.ForEach(batch => batch.Written.TrySetResult());
            }
            catch (Exception exception)
            {
                batches.ForEach(batch => batch.Written.TrySetException(exception));
            }

            ArmGapTimer();
        }
    }

    private void Admit(MessageDto message, Deliveries ready, long now)
    {
        if (!_groups.TryGetValue(ChatGroups.Conversation(message.ConversationId), out var group))
        {
            return;
        }

        var delivered = group.Delivered ??= message.Sequence - 1;
        if (message.Sequence <= delivered)
        {
            // Written here already (a gap read back, then the late publish), or committed before
            // every member here joined.
            return;
        }

        if (message.Sequence > delivered + 1)
        {
            if (group.Held is null)
            {
                group.Held = [];
                group.HeldSince = now;
                _holding.Add(group);
            }

            group.Held.TryAdd(message.Sequence, message);
            return;
        }

        ready.Add(message, group);
        group.Delivered = message.Sequence;
        if (group.Held is not null)
        {
            Release(group, ready, now);
        }
    }

    /// <summary>Writes the held messages that now follow on, in order; a gap still ahead starts its wait now.</summary>
    private void Release(ConversationGroup group, Deliveries ready, long now)
    {
        var held = group.Held!;
        while (held.Count > 0 && held.Keys[0] <= group.Delivered + 1)
        {
            var next = held.Values[0];
            held.RemoveAt(0);
            if (next.Sequence == group.Delivered + 1)
            {
                ready.Add(next, group);
                group.Delivered = next.Sequence;
            }
        }

        if (held.Count == 0)
        {
            group.Held = null;
            _holding.Remove(group);
        }
        else
        {
            group.HeldSince = now;
        }
    }

    private void StartOverdueFills(Deliveries ready, long now)
    {
        if (_holding.Count == 0)
        {
            return;
        }

        foreach (var group in _holding.ToList())
        {
            if (group.Filling || _clock.GetElapsedTime(group.HeldSince, now) < _gapWait)
            {
                continue;
            }

            var after = group.Delivered!.Value;
            var before = group.Held!.Keys[0];
            if (before - after - 1 > _maxGapFill)
            {
                PassOver(group, ready, now);
                continue;
            }

            group.Filling = true;
            _ = FillAsync(group, group.Held.Values[0].ConversationId, after, before);
        }
    }

    private async Task FillAsync(ConversationGroup group, string conversationId, long after, long before)
    {
        List<MessageDto> missed;
        try
        {
            missed = await _missed.ReadAsync(conversationId, after, before);
            LogGapFilled(_logger, missed.Count, conversationId);
        }
        catch (Exception exception)
        {
            LogGapFillFailed(_logger, conversationId, exception);
            missed = [];
        }

        _batches.Writer.TryWrite(new PendingBatch(missed, group));
    }

    private void EndFill(ConversationGroup group, Deliveries ready, long now)
    {
        group.Filling = false;
        // The read came back short (the database was away): members catch up with GetMessages.
        if (group.Held is { Count: > 0 } held && held.Keys[0] > group.Delivered + 1)
        {
            PassOver(group, ready, now);
        }
    }

    private void PassOver(ConversationGroup group, Deliveries ready, long now)
    {
        var resumeAt = group.Held!.Keys[0];
        LogGapPassedOver(_logger, group.Held.Values[0].ConversationId, group.Delivered!.Value, resumeAt);
        group.Delivered = resumeAt - 1;
        Release(group, ready, now);
    }

    private void ArmGapTimer()
    {
        TimeSpan? due = null;
        foreach (var group in _holding)
        {
            if (!group.Filling)
            {
                var left = _gapWait - _clock.GetElapsedTime(group.HeldSince);
                due = due is null || left < due ? left : due;
            }
        }

        if (due is { } wait)
        {
            _gapTimer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private static Task WriteAsync(Deliveries ready)
    {
        Dictionary<HubConnectionContext, List<int>>? recipients = null;
        for (var i = 0; i < ready.Messages.Count; i++)
        {
            foreach (var (_, connection) in ready.Groups[i].Members)
            {
                recipients ??= new(ReferenceEqualityComparer.Instance);
                (CollectionsMarshal.GetValueRefOrAddDefault(recipients, connection, out _) ??= []).Add(i);
            }
        }

        if (recipients is null)
        {
            return Task.CompletedTask;
        }

        var frames = new BatchFrames(ready.Messages);
        List<Task>? pending = null;
        foreach (var (connection, indexes) in recipients)
        {
            var protocol = connection.Protocol;
            var write = connection.WriteAsync(new SerializedHubMessage([new SerializedMessage(protocol.Name, frames.For(protocol, indexes))]));
            if (!write.IsCompletedSuccessfully)
            {
                (pending ??= []).Add(write.AsTask());
            }
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await _inner.OnConnectedAsync(connection);
        _connections[connection.ConnectionId] = new LocalConnection(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (_connections.TryRemove(connection.ConnectionId, out var local))
        {
            lock (_membership)
            {
                local.Closed = true;
                foreach (var group in local.Groups)
                {
                    LeaveLocked(connection.ConnectionId, group);
                }
            }
        }

        await _inner.OnDisconnectedAsync(connection);
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        JoinAsync(connectionId, groupName, lastSequence: null, cancellationToken);

    private async Task JoinAsync(string connectionId, string groupName, long? lastSequence, CancellationToken cancellationToken)
    {
        // A connection not here has just closed (groups change only on the connection's node): there
        // is nothing to change. SignalR's Redis manager would instead ask the other nodes and wait for
        // an acknowledgement that never comes.
        if (!_connections.TryGetValue(connectionId, out var local))
        {
            return;
        }

        await _inner.AddToGroupAsync(connectionId, groupName, cancellationToken);
        lock (_membership)
        {
            if (!local.Closed && local.Groups.Add(groupName))
            {
                _groups.GetOrAdd(groupName, static (_, start) => new ConversationGroup(start), lastSequence).Members[connectionId] = local.Context;
            }
        }
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!_connections.TryGetValue(connectionId, out var local))
        {
            return;
        }

        lock (_membership)
        {
            if (local.Groups.Remove(groupName))
            {
                LeaveLocked(connectionId, groupName);
            }
        }

        await _inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
    }

    private void LeaveLocked(string connectionId, string groupName)
    {
        if (_groups.TryGetValue(groupName, out var group) && group.Members.TryRemove(connectionId, out _) && group.Members.IsEmpty)
        {
            _groups.TryRemove(groupName, out _);
        }
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendUsersAsync(userIds, methodName, args, cancellationToken);

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        _inner.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        _inner.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        _inner.TryGetReturnType(invocationId, out type);

    public void Dispose()
    {
        _gapTimer.Dispose();
        _batches.Writer.TryComplete();
        (_inner as IDisposable)?.Dispose();
    }

    /// <summary>Messages to write; or a gap read back for <see cref="FillOf"/>; or, empty, a wake-up to read overdue gaps.</summary>
    private sealed class PendingBatch(IReadOnlyList<MessageDto> messages, ConversationGroup? fillOf = null)
    {
        public static readonly PendingBatch GapCheck = new([]);

        public IReadOnlyList<MessageDto> Messages { get; } = messages;

        public ConversationGroup? FillOf { get; } = fillOf;

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>This node's connections in one group and, for a conversation, where its delivery here stands.</summary>
    private sealed class ConversationGroup(long? deliveredBeforeJoin)
    {
        public ConcurrentDictionary<string, HubConnectionContext> Members { get; } = new(StringComparer.Ordinal);

        // The writer's alone from here on. Delivered stays unknown until the first message for a group
        // joined without a sequence.
        public long? Delivered { get; set; } = deliveredBeforeJoin;

        public SortedList<long, MessageDto>? Held { get; set; }

        public long HeldSince { get; set; }

        public bool Filling { get; set; }
    }

    /// <summary>Messages ready to write, each with the group it goes to.</summary>
    private sealed class Deliveries
    {
        public List<MessageDto> Messages { get; } = [];

        public List<ConversationGroup> Groups { get; } = [];

        public void Add(MessageDto message, ConversationGroup group)
        {
            Messages.Add(message);
            Groups.Add(group);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Count} messages of conversation {ConversationId} that this node had not received back from the database")]
    private static partial void LogGapFilled(ILogger logger, int count, string conversationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading missed messages of conversation {ConversationId} back from the database failed")]
    private static partial void LogGapFillFailed(ILogger logger, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Passing over a gap in conversation {ConversationId} after sequence {After}, resuming at {ResumeAt}; its members catch up with GetMessages")]
    private static partial void LogGapPassedOver(ILogger logger, string conversationId, long after, long resumeAt);

    private sealed class LocalConnection(HubConnectionContext context)
    {
        public HubConnectionContext Context { get; } = context;

        /// <summary>Guarded by the manager's membership lock.</summary>
        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

        /// <summary>Guarded by the manager's membership lock.</summary>
        public bool Closed { get; set; }
    }

    /// <summary>
    /// A batch's messages as <c>MessageReceived</c> invocations in each protocol, serialized when first
    /// needed. Both protocols frame every message (JSON ends each with a record separator, MessagePack
    /// prefixes its length), so several frames written together are still several messages to the client.
    /// Only valid while connections cannot resend on reconnect (stateful reconnect off), since that
    /// feature numbers writes, not messages.
    /// </summary>
    private sealed class BatchFrames(IReadOnlyList<MessageDto> messages)
    {
        private readonly List<(IHubProtocol Protocol, ReadOnlyMemory<byte>[] Frames)> _byProtocol = new(2);

        public ReadOnlyMemory<byte> For(IHubProtocol protocol, List<int> indexes)
        {
            var frames = FramesIn(protocol);
            if (indexes.Count == 1)
            {
                return Frame(protocol, frames, indexes[0]);
            }

            var length = 0;
            foreach (var index in indexes)
            {
                length += Frame(protocol, frames, index).Length;
            }

            var buffer = new byte[length];
            var offset = 0;
            foreach (var index in indexes)
            {
                frames[index].Span.CopyTo(buffer.AsSpan(offset));
                offset += frames[index].Length;
            }

            return buffer;
        }

        private ReadOnlyMemory<byte>[] FramesIn(IHubProtocol protocol)
        {
            foreach (var (known, frames) in _byProtocol)
            {
                if (ReferenceEquals(known, protocol))
                {
                    return frames;
                }
            }

            var added = new ReadOnlyMemory<byte>[messages.Count];
            _byProtocol.Add((protocol, added));
            return added;
        }

        private ReadOnlyMemory<byte> Frame(IHubProtocol protocol, ReadOnlyMemory<byte>[] frames, int index)
        {
            if (frames[index].IsEmpty)
            {
                frames[index] = protocol.GetMessageBytes(new InvocationMessage(nameof(IChatClient.MessageReceived), [messages[index]]));
            }

            return frames[index];
        }
    }
}
