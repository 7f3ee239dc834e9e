using Microsoft.AspNetCore.SignalR;

namespace Realtime.Server.Hubs;

/// <summary>
/// SignalR's own lifetime manager (in memory on one node, the Redis backplane on several) for every
/// send, which also keeps <see cref="LocalConversationGroups"/> in step with the groups of this node's
/// connections, so committed messages reach them through this node's ordered delivery instead.
/// A group change for a connection on another node is forwarded to that node (<see cref="IGroupForwarding"/>),
/// whose own manager applies it to both.
/// </summary>
public sealed class ChatHubLifetimeManager(HubLifetimeManager<ChatHub> inner, LocalConversationGroups local, IGroupForwarding forwarding)
    : DelegatingHubLifetimeManager(inner)
{
    /// <summary>
    /// Adds a connection to a conversation's group. <paramref name="lastSequence"/> is the conversation's
    /// last sequence as read before the join: when the connection is the conversation's first member
    /// here, delivery here starts after it, since the joiner reads what came before from the database.
    /// </summary>
    /// <param name="atConnect">
    /// The join of what the connection read when it connected: a removal that reached this node since then
    /// (and found the connection not yet in the group) wins, so the connect needs no second read.
    /// </param>
    public async Task AddToConversationAsync(string connectionId, string conversationId, long lastSequence, bool atConnect = false, CancellationToken cancellationToken = default)
    {
        // Called for this node's own connections only; one that is no longer here has just closed, and
        // SignalR's Redis manager would otherwise ask the other nodes for it and wait for an answer that never comes.
        if (atConnect ? !local.MayJoinAtConnect(connectionId, conversationId) : !local.IsHere(connectionId))
        {
            return;
        }

        var group = ChatGroups.Conversation(conversationId);
        await Inner.AddToGroupAsync(connectionId, group, cancellationToken);
        if (!local.Join(connectionId, conversationId, lastSequence, atConnect))
        {
            // Removed while this join was under way: the removal may have left SignalR's group before we joined it.
            await Inner.RemoveFromGroupAsync(connectionId, group, cancellationToken);
        }
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await Inner.OnConnectedAsync(connection);
        local.Opened(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        local.Closed(connection.ConnectionId);
        await Inner.OnDisconnectedAsync(connection);
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!local.IsHere(connectionId))
        {
            await forwarding.ForwardAsync(new GroupChange(connectionId, groupName, Add: true));
            return;
        }

        await Inner.AddToGroupAsync(connectionId, groupName, cancellationToken);
        if (ChatGroups.TryGetConversationId(groupName, out var conversationId))
        {
            local.Join(connectionId, conversationId, lastSequence: null);
        }
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!local.IsHere(connectionId))
        {
            await forwarding.ForwardAsync(new GroupChange(connectionId, groupName, Add: false));
            return;
        }

        if (ChatGroups.TryGetConversationId(groupName, out var conversationId))
        {
            local.Leave(connectionId, conversationId);
        }

        await Inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
    }

    /// <summary>Applies a change another node forwarded, when the connection is one of this node's.</summary>
    public Task ApplyForwardedAsync(GroupChange change)
    {
        if (!local.IsHere(change.ConnectionId))
        {
            return Task.CompletedTask;
        }

        return change.Add ? AddToGroupAsync(change.ConnectionId, change.GroupName) : RemoveFromGroupAsync(change.ConnectionId, change.GroupName);
    }
}
