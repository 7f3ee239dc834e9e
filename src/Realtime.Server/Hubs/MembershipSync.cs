using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;
using Realtime.Server.Connections;
using Realtime.Server.Delivery;

namespace Realtime.Server.Hubs;

/// <summary>Carries a membership change to every node, where it is applied to that node's own connections.</summary>
public interface IGroupMembershipSync
{
    Task PublishAsync(MembershipChange change);
}

/// <summary>
/// Applies a membership change to this node's connections: group joins and leaves first, then
/// <c>ConversationUpdated</c>, so a client that hears of its new conversation is already in the group.
/// </summary>
public sealed class LocalMembershipApplier(IHubContext<ChatHub, IChatClient> hub, ChatHubLifetimeManager groups, LocalConnectionRegistry local)
{
    public async Task ApplyAsync(MembershipChange change)
    {
        var group = ChatGroups.Conversation(change.View.Id);
        foreach (var userId in change.AddedUserIds)
        {
            foreach (var connectionId in local.ConnectionsOf(userId))
            {
                await groups.AddToConversationAsync(connectionId, change.View.Id, change.View.LastRevision);
            }
        }

        foreach (var userId in change.RemovedUserIds)
        {
            foreach (var connectionId in local.ConnectionsOf(userId))
            {
                await hub.Groups.RemoveFromGroupAsync(connectionId, group);
            }
        }

        foreach (var userId in change.Members.Keys.Concat(change.RemovedUserIds))
        {
            var connections = local.ConnectionsOf(userId);
            if (connections.Count > 0)
            {
                await hub.Clients.Clients(connections).ConversationUpdated(change.ViewOf(userId));
            }
        }
    }
}

internal sealed class LocalGroupMembershipSync(LocalMembershipApplier applier) : IGroupMembershipSync
{
    public Task PublishAsync(MembershipChange change) => applier.ApplyAsync(change);
}
