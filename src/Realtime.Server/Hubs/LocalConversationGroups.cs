using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Server.Delivery;
using Realtime.Server.Observability;

namespace Realtime.Server.Hubs;

/// <summary>
/// This node's connections and the conversation groups they are in; ordered messages are written to
/// them by <see cref="DeliveryWrite"/>: a connection's messages of one delivery go out in one write, each
/// message serialized once per protocol. A send per message would cost every member a write, a flush
/// and, unless they happen to coalesce, a socket send per message.
/// Owns this node's <see cref="OrderedDelivery"/>, its one source of messages, and tells it when a
/// conversation gets its first member here and loses its last.
/// </summary>
public sealed class LocalConversationGroups : IDeliverySink, IDisposable
{
    private readonly OrderedDelivery delivery;

    private readonly ConcurrentDictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, LocalConnection>> _groups = new(StringComparer.Ordinal);

    // Group changes are rare next to sends: one lock keeps a closing connection from being added back
    // to a group, and an emptied group from being dropped while a connection joins it.
    private readonly Lock _membership = new();

    private readonly ConversationInterest interest;

    public LocalConversationGroups(IGapReader gaps, ConversationInterest interest, TimeProvider clock, IOptions<ChatOptions> options, ChatMetrics metrics, ILogger<OrderedDelivery> logger)
    {
        this.interest = interest;
        var limits = options.Value;
        delivery = new OrderedDelivery(gaps, this, clock, new DeliveryOrderOptions(limits.DeliveryGapWait, limits.MaxDeliveryGapFill), logger, metrics.DeliveryGap);
    }

    public OrderedDelivery Delivery => delivery;

    public void Dispose() => delivery.Dispose();

    public void Opened(HubConnectionContext connection)
    {
        var local = new LocalConnection(connection);
        // Kept with the connection, so that its conversations are still known once it has closed; a feature, not an
        // item: the connection's items are a dictionary of their own, made on first use, for this one entry.
        connection.Features.Set(local);
        _connections[connection.ConnectionId] = local;
    }

    /// <summary>The conversations the connection is (or was, when it closed) in here.</summary>
    public IReadOnlyList<string> ConversationsOf(HubCallerContext connection)
    {
        if (connection.Features.Get<LocalConnection>() is not { } local)
        {
            return [];
        }

        lock (_membership)
        {
            return [.. local.Conversations];
        }
    }

    /// <summary>This node's connections in any of these conversations, each once, those of <paramref name="exceptUserId"/> left out.</summary>
    internal IReadOnlyCollection<LocalConnection> AudienceOf(IReadOnlyList<string> conversationIds, string exceptUserId)
    {
        var audience = new Dictionary<string, LocalConnection>(StringComparer.Ordinal);
        foreach (var conversationId in conversationIds)
        {
            if (!_groups.TryGetValue(conversationId, out var members))
            {
                continue;
            }

            foreach (var (connectionId, member) in members)
            {
                if (!string.Equals(member.Context.UserIdentifier, exceptUserId, StringComparison.Ordinal))
                {
                    audience.TryAdd(connectionId, member);
                }
            }
        }

        return audience.Values;
    }

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

    /// <summary>Whether a join of what the connect read may still go ahead (see <see cref="LocalConnection.LeftWhileConnecting"/>).</summary>
    public bool MayJoinAtConnect(string connectionId, string conversationId)
    {
        if (!_connections.TryGetValue(connectionId, out var local))
        {
            return false;
        }

        lock (_membership)
        {
            return !local.Closed && local.LeftWhileConnecting?.Contains(conversationId) != true;
        }
    }

    /// <summary>The connection has joined what it read at connect; from now on a removal simply removes.</summary>
    public void ConnectJoined(string connectionId)
    {
        if (_connections.TryGetValue(connectionId, out var local))
        {
            lock (_membership)
            {
                local.LeftWhileConnecting = null;
            }
        }
    }

    /// <summary>Adds a connection of this node; the first member here starts the conversation's delivery after <paramref name="lastSequence"/>.</summary>
    /// <param name="atConnect">The join of what the connect read, which a removal since then overrides.</param>
    /// <returns>False when the connection is not in the conversation here afterwards.</returns>
    public bool Join(string connectionId, string conversationId, long? lastSequence, bool atConnect = false)
    {
        if (!_connections.TryGetValue(connectionId, out var local))
        {
            return false;
        }

        lock (_membership)
        {
            if (local.Closed || (atConnect && local.LeftWhileConnecting?.Contains(conversationId) == true))
            {
                return false;
            }

            if (!atConnect)
            {
                // A change made after the removal: it wins over it.
                local.LeftWhileConnecting?.Remove(conversationId);
            }

            if (!local.Conversations.Add(conversationId))
            {
                return true;
            }

            if (!_groups.TryGetValue(conversationId, out var members))
            {
                delivery.Track(conversationId, lastSequence);
                _groups[conversationId] = members = new(StringComparer.Ordinal);
                interest.RaiseGained(conversationId);
            }

            members[connectionId] = local;
            return true;
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
            else
            {
                local.LeftWhileConnecting?.Add(conversationId);
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

    public Task WriteAsync(IReadOnlyList<LogEntry> entries) => DeliveryWrite.WriteAsync(entries, _groups);
}
