using Realtime.Server.Hubs;
using Realtime.Server.Connections;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// Group changes for connections on other nodes cross on one channel that every node reads; the node
/// holding the connection applies the change, the others pass it by. The sender does not wait for an
/// answer (SignalR's own manager does): a dead node cannot stall it, and its connections are gone anyway.
/// </summary>
internal sealed partial class RedisGroupForwarding(
    IServiceProvider services,
    IConnectionMultiplexer redis,
    NodeIdentity node,
    ILogger<RedisGroupForwarding> logger) : IGroupForwarding, IHostedService
{
    private readonly NodeChannel<GroupChange> _changes = new(redis, node, "groups", logger);

    public Task ForwardAsync(GroupChange change) => _changes.PublishAsync(change);

    // Resolved when the first change arrives: the lifetime manager itself depends on this forwarding.
    public Task StartAsync(CancellationToken cancellationToken) => _changes.SubscribeAsync(async changes =>
    {
        var manager = services.GetRequiredService<ChatHubLifetimeManager>();
        foreach (var change in changes)
        {
            try
            {
                await manager.ApplyForwardedAsync(change);
            }
            catch (RedisException exception)
            {
                LogApplyFailed(logger, exception);
            }
        }
    });

    public Task StopAsync(CancellationToken cancellationToken) => _changes.UnsubscribeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying a group change forwarded by another node failed")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception);
}
