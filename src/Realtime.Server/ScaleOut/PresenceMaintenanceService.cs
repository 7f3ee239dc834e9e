using Microsoft.Extensions.Options;
using Realtime.Server.ScaleOut;
using StackExchange.Redis;
using Realtime.Server.Presence;

namespace Realtime.Server.ScaleOut;

/// <summary>Beats this node's heartbeat and announces the users of nodes that died without a goodbye.</summary>
internal sealed partial class PresenceMaintenanceService(
    RedisPresenceTracker tracker,
    IConnectionMultiplexer redis,
    IServiceScopeFactory scopes,
    IOptions<RedisOptions> options,
    ILogger<PresenceMaintenanceService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A Redis that comes back may have lost everything: write this node's connections back at once
        // rather than at the next tick, so they do not count as dead meanwhile.
        redis.ConnectionRestored += (_, _) => _ = Task.Run(async () =>
        {
            try
            {
                tracker.RequestReassert();
                await tracker.HeartbeatAsync();
            }
            catch (RedisException exception)
            {
                LogMaintenanceFailed(logger, exception);
            }
        });

        // The heartbeat must exist before the first connection, or that connection would count as dead.
        try
        {
            await tracker.HeartbeatAsync();
        }
        catch (RedisException exception)
        {
            LogMaintenanceFailed(logger, exception);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await tracker.LeaveAsync();
        }
        catch (RedisException exception)
        {
            LogMaintenanceFailed(logger, exception);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PresenceHeartbeatInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await tracker.HeartbeatAsync();
                foreach (var userId in await tracker.SweepDeadNodesAsync())
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<PresenceService>().UserWentOfflineAsync(userId);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Redis or the database is away; the next tick tries again.
                LogMaintenanceFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence maintenance failed; retrying on the next heartbeat")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception);
}
