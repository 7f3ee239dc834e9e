using Microsoft.AspNetCore.SignalR;
using Realtime.Server.Delivery;
using Realtime.Server.Hubs;
using Realtime.Server.Connections;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

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
