using Realtime.Contracts;
using Realtime.Server.Delivery;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// A committed batch goes to this node's ordered delivery at once and crosses Redis on its
/// conversations' channels (<see cref="ConversationChannels"/>), one publish per conversation in the
/// batch; each node that has members of a conversation reads its channel and hands what it reads to
/// its own ordered delivery. When the subscriptions come back after Redis was away, the node reads
/// from the database what it missed meanwhile, so its members get it in order without asking.
/// </summary>
internal sealed partial class RedisMessageBroadcast(
    OrderedDelivery delivery,
    ConversationChannels channels,
    IConnectionMultiplexer redis,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<ChatOptions> options,
    ILogger<RedisMessageBroadcast> logger) : IMessageBroadcast, IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public Task PublishAsync(IReadOnlyList<LogEntry> entries)
    {
        var deliveredHere = delivery.DeliverAsync(entries);
        // Delivery is best effort (the database is the record), so the batch is not held up for Redis.
        channels.Publish(entries);
        return deliveredHere;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        await _stopping.CancelAsync();
    }

    public void Dispose() => _stopping.Dispose();

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = CatchUpAsync();
        }
    }

    private async Task CatchUpAsync()
    {
        try
        {
            // What other nodes published as the subscription came back is still on its way: give it the
            // time a gap waits, so the read back finds only what was truly lost.
            await Task.Delay(options.Value.DeliveryGapWait, clock, _stopping.Token);
            await delivery.CatchUpAsync(_stopping.Token);
            LogCaughtUp(logger);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception exception)
        {
            LogCatchUpFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back: read what this node missed meanwhile back from the database")]
    private static partial void LogCaughtUp(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading what this node missed while Redis was away failed; its members catch up with GetMessages")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception);
}
