using System.Text.Json;
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
public sealed class LocalMembershipApplier(IHubContext<ChatHub, IChatClient> hub, LocalConnectionRegistry local)
{
    public async Task ApplyAsync(MembershipChange change)
    {
        var group = ChatGroups.Conversation(change.View.Id);
        foreach (var userId in change.AddedUserIds)
        {
            foreach (var connectionId in local.ConnectionsOf(userId))
            {
                await hub.Groups.AddToGroupAsync(connectionId, group);
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
    // The multiplexer adds Redis:ChannelPrefix.
    private readonly RedisChannel _channel = RedisChannel.Literal("membership");

    public async Task PublishAsync(MembershipChange change)
    {
        await applier.ApplyAsync(change);
        var payload = JsonSerializer.Serialize(new Envelope(node.NodeId, change), JsonSerializerOptions.Web);
        await redis.GetSubscriber().PublishAsync(_channel, payload);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var messages = await redis.GetSubscriber().SubscribeAsync(_channel);
        messages.OnMessage(async message =>
        {
            try
            {
                var envelope = JsonSerializer.Deserialize<Envelope>((string)message.Message!, JsonSerializerOptions.Web);
                if (envelope is not null && envelope.Origin != node.NodeId)
                {
                    await applier.ApplyAsync(envelope.Change);
                }
            }
            catch (Exception exception) when (exception is JsonException or HubException or IOException)
            {
                LogApplyFailed(logger, exception);
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => redis.GetSubscriber().UnsubscribeAsync(_channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying a membership change from another node failed")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception);

    private sealed record Envelope(string Origin, MembershipChange Change);
}
