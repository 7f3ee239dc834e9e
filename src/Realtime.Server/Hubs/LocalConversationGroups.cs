using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections.Abstractions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Server.Delivery;

namespace Realtime.Server.Hubs;

/// <summary>
/// This node's connections and the conversation groups they are in, and the writing of ordered messages
/// to them: a connection's messages of one delivery go out in one write, each message serialized once
/// per protocol. A send per message would cost every member a write, a flush and, unless they happen to
/// coalesce, a socket send per message.
/// Owns this node's <see cref="OrderedDelivery"/>, its one source of messages, and tells it when a
/// conversation gets its first member here and loses its last.
/// </summary>
public sealed class LocalConversationGroups : IDeliverySink, IDisposable
{
    private readonly OrderedDelivery delivery;


    private readonly ConcurrentDictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubConnectionContext>> _groups = new(StringComparer.Ordinal);

    // Group changes are rare next to sends: one lock keeps a closing connection from being added back
    // to a group, and an emptied group from being dropped while a connection joins it.
    private readonly Lock _membership = new();

    private readonly ConversationInterest interest;

    public LocalConversationGroups(IGapReader gaps, ConversationInterest interest, TimeProvider clock, IOptions<ChatOptions> options, ILogger<OrderedDelivery> logger)
    {
        this.interest = interest;
        var limits = options.Value;
        delivery = new OrderedDelivery(gaps, this, clock, new DeliveryOrderOptions(limits.DeliveryGapWait, limits.MaxDeliveryGapFill), logger);
    }

    public OrderedDelivery Delivery => delivery;

    public void Dispose() => delivery.Dispose();

    public void Opened(HubConnectionContext connection) =>
        _connections[connection.ConnectionId] = new LocalConnection(connection);

    public void Closed(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var local))
        {
            return;
        }

        lock (_membership)
        {
            local.Closed = true;
            foreach (var conversationId in local.Conversations)
            {
                LeaveLocked(connectionId, conversationId);
            }
        }
    }

    public bool IsHere(string connectionId) => _connections.ContainsKey(connectionId);

    /// <summary>
    /// Ends one of this node's connections as if its transport had dropped: SignalR then runs the usual
    /// disconnect (presence, groups, typing), and the client may connect again.
    /// </summary>
    /// <returns>False when the connection is not (or no longer) here.</returns>
    public bool Abort(string connectionId)
    {
        if (!_connections.TryGetValue(connectionId, out var local))
        {
            return false;
        }

        local.Context.Abort();
        return true;
    }

    /// <summary>Adds a connection of this node; the first member here starts the conversation's delivery after <paramref name="lastSequence"/>.</summary>
    public void Join(string connectionId, string conversationId, long? lastSequence)
    {
        if (!_connections.TryGetValue(connectionId, out var local))
        {
            return;
        }

        lock (_membership)
        {
            if (local.Closed || !local.Conversations.Add(conversationId))
            {
                return;
            }

            if (!_groups.TryGetValue(conversationId, out var members))
            {
                delivery.Track(conversationId, lastSequence);
                _groups[conversationId] = members = new(StringComparer.Ordinal);
                interest.RaiseGained(conversationId);
            }

            members[connectionId] = local.Context;
        }
    }

    public void Leave(string connectionId, string conversationId)
    {
        if (!_connections.TryGetValue(connectionId, out var local))
        {
            return;
        }

        lock (_membership)
        {
            if (local.Conversations.Remove(conversationId))
            {
                LeaveLocked(connectionId, conversationId);
            }
        }
    }

    private void LeaveLocked(string connectionId, string conversationId)
    {
        if (_groups.TryGetValue(conversationId, out var members) && members.TryRemove(connectionId, out _) && members.IsEmpty)
        {
            _groups.TryRemove(conversationId, out _);
            delivery.Untrack(conversationId);
            interest.RaiseLost(conversationId);
        }
    }

    public Task WriteAsync(IReadOnlyList<MessageDto> messages)
    {
        Dictionary<HubConnectionContext, List<int>>? recipients = null;
        for (var i = 0; i < messages.Count; i++)
        {
            if (!_groups.TryGetValue(messages[i].ConversationId, out var members))
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
            // Stateful reconnect numbers writes while the client acknowledges messages: such a connection
            // gets one write per message, in order, so that what it resends after a reconnect lines up.
            var write = !UsesStatefulReconnect(connection)
                ? connection.WriteAsync(Serialized(protocol, frames.Joined(protocol, indexes))).AsTask()
                : WriteEachAsync(connection, indexes.ConvertAll(index => frames.Frame(protocol, index)));
            if (!write.IsCompletedSuccessfully)
            {
                (pending ??= []).Add(write);
            }
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }

    // The feature is marked preview, but it is how SignalR itself tells such a connection apart, and it
    // is only looked for here, never implemented.
#pragma warning disable CA2252
    private static bool UsesStatefulReconnect(HubConnectionContext connection) => connection.Features.Get<IStatefulReconnectFeature>() is not null;
#pragma warning restore CA2252

    private static async Task WriteEachAsync(HubConnectionContext connection, List<ReadOnlyMemory<byte>> frames)
    {
        foreach (var frame in frames)
        {
            await connection.WriteAsync(Serialized(connection.Protocol, frame));
        }
    }

    private static SerializedHubMessage Serialized(IHubProtocol protocol, ReadOnlyMemory<byte> bytes) =>
        new([new SerializedMessage(protocol.Name, bytes)]);

    private sealed class LocalConnection(HubConnectionContext context)
    {
        public HubConnectionContext Context { get; } = context;

        /// <summary>Guarded by the membership lock.</summary>
        public HashSet<string> Conversations { get; } = new(StringComparer.Ordinal);

        /// <summary>Guarded by the membership lock.</summary>
        public bool Closed { get; set; }
    }
}
