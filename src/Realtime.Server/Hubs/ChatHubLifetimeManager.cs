using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Realtime.Contracts;

namespace Realtime.Server.Hubs;

/// <summary>
/// SignalR's own lifetime manager (in memory on one node, the Redis backplane on several) for every
/// send, plus this node's connections and their groups, so that committed messages reach each member
/// here in one write: a connection's messages go out together, each message serialized once per
/// protocol. A send per message would cost every member a write, a flush and, unless they happen to
/// coalesce, a socket send per message.
/// Groups are only ever changed on the node that holds the connection (the hub for its caller,
/// <see cref="LocalMembershipApplier"/> for this node's connections), which keeps the map exact.
/// </summary>
internal sealed class ChatHubLifetimeManager : HubLifetimeManager<ChatHub>, IDisposable
{
    private readonly HubLifetimeManager<ChatHub> _inner;
    private readonly ConcurrentDictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubConnectionContext>> _groups = new(StringComparer.Ordinal);

    // Group changes are rare next to sends: one lock keeps a closing connection from being added back
    // to a group, and an emptied group from being dropped while a connection joins it.
    private readonly Lock _membership = new();

    // One writer for every batch, this node's own and the other nodes' alike: batches that queue up
    // while it writes go out together, so on N nodes a member still gets one write for what arrived
    // meanwhile rather than one per node it came from.
    private readonly Channel<PendingBatch> _batches = Channel.CreateUnbounded<PendingBatch>(new UnboundedChannelOptions { SingleReader = true });

    public ChatHubLifetimeManager(HubLifetimeManager<ChatHub> inner)
    {
        _inner = inner;
        // Ends once disposal completes the queue and what is queued is written.
        _ = Task.Run(WriteBatchesAsync);
    }

    /// <summary>
    /// Writes a committed batch to the members of its conversations connected to this node, each
    /// connection's messages in batch order (which is sequence order within a conversation) and in
    /// the order batches were handed over; completes once they are written.
    /// </summary>
    public Task SendMessagesAsync(IReadOnlyList<MessageDto> messages)
    {
        var batch = new PendingBatch(messages);
        return _batches.Writer.TryWrite(batch) ? batch.Written.Task : Task.CompletedTask;
    }

    private async Task WriteBatchesAsync()
    {
        var reader = _batches.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batches = new List<PendingBatch>();
            while (reader.TryRead(out var batch))
            {
                batches.Add(batch);
            }

            try
            {
                await WriteAsync(batches.Count == 1 ? batches[0].Messages : [.. batches.SelectMany(batch => batch.Messages)]);
                batches.ForEach(batch => batch.Written.TrySetResult());
            }
            catch (Exception exception)
            {
                batches.ForEach(batch => batch.Written.TrySetException(exception));
            }
        }
    }

    private Task WriteAsync(IReadOnlyList<MessageDto> messages)
    {
        Dictionary<HubConnectionContext, List<int>>? recipients = null;
        for (var i = 0; i < messages.Count; i++)
        {
            if (!_groups.TryGetValue(ChatGroups.Conversation(messages[i].ConversationId), out var members))
            {
                continue;
            }

            foreach (var (_, connection) in members)
            {
                recipients ??= new(ReferenceEqualityComparer.Instance);
                (CollectionsMarshal.GetValueRefOrAddDefault(recipients, connection, out _) ??= []).Add(i);
            }
        }

        if (recipients is null)
        {
            return Task.CompletedTask;
        }

        var frames = new BatchFrames(messages);
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

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
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
                _groups.GetOrAdd(groupName, _ => new(StringComparer.Ordinal))[connectionId] = local.Context;
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
        if (_groups.TryGetValue(groupName, out var members) && members.TryRemove(connectionId, out _) && members.IsEmpty)
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
        _batches.Writer.TryComplete();
        (_inner as IDisposable)?.Dispose();
    }

    private sealed class PendingBatch(IReadOnlyList<MessageDto> messages)
    {
        public IReadOnlyList<MessageDto> Messages { get; } = messages;

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

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
