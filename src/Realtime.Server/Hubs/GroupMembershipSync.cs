using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;
using Realtime.Server.Notifications;
using Realtime.Server.Presence;
using Realtime.Server.ScaleOut;
using StackExchange.Redis;

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
                await groups.AddToConversationAsync(connectionId, change.View.Id, change.View.LastSequence);
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

/// <summary>
/// Applies a change here at once, then publishes it on a Redis channel that every other node applies
/// to its own connections. No node waits on another, so a dead node cannot stall a change.
/// </summary>
internal sealed partial class RedisGroupMembershipSync(
    LocalMembershipApplier applier,
    IConnectionMultiplexer redis,
    NodeIdentity node,
    ILogger<RedisGroupMembershipSync> logger) : IGroupMembershipSync, IHostedService
{
    private readonly NodeChannel<MembershipChange> _changes = new(redis, node, "membership", logger);

    public async Task PublishAsync(MembershipChange change)
    {
        await applier.ApplyAsync(change);
        await _changes.PublishAsync(change);
    }

    public Task StartAsync(CancellationToken cancellationToken) => _changes.SubscribeAsync(async changes =>
    {
        foreach (var change in changes)
        {
            try
            {
                await applier.ApplyAsync(change);
            }
            catch (Exception exception) when (exception is HubException or IOException)
            {
                // The others still apply: each change stands alone.
                LogApplyFailed(logger, exception);
            }
        }
    });

    public Task StopAsync(CancellationToken cancellationToken) => _changes.UnsubscribeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying a membership change from another node failed")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception);
}
