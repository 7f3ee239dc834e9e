using Realtime.Server.Connections;
using Realtime.Server.Delivery;
using Realtime.Server.Hubs;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// Writes a presence change to this node's audience at once, then publishes it on one Redis channel that
/// every other node writes to its own: one publish a transition, where <c>Clients.Users</c> on the Redis
/// manager published once for every user of the audience.
/// </summary>
internal sealed partial class RedisPresenceBroadcast(
    LocalPresenceFanOut fanOut,
    IConnectionMultiplexer redis,
    NodeIdentity node,
    ILogger<RedisPresenceBroadcast> logger) : IPresenceBroadcast, IHostedService
{
    private readonly NodeChannel<ConversationPresence> _changes = new(redis, node, "presence", logger);

    public async Task PublishAsync(ConversationPresence change)
    {
        await fanOut.WriteAsync(change);
        _changes.Publish(change);
    }

    public Task StartAsync(CancellationToken cancellationToken) => _changes.SubscribeAsync(async changes =>
    {
        foreach (var change in changes)
        {
            try
            {
                await fanOut.WriteAsync(change);
            }
            catch (IOException exception)
            {
                // The others still go out: each change stands alone.
                LogWriteFailed(logger, exception);
            }
        }
    });

    public Task StopAsync(CancellationToken cancellationToken) => _changes.UnsubscribeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing a presence change from another node failed")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);
}
