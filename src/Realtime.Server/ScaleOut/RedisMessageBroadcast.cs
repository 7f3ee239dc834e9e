using Realtime.Contracts;
using Realtime.Server.Delivery;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// A batch crosses Redis as one message on one channel, and every node hands it to its own ordered
/// delivery: one publish and one receive per batch and node, where a send to each conversation group
/// would cost one of each per message. Every node reads every batch, as with Socket.IO's Redis adapter;
/// a node with no members of a conversation skips its messages at the cost of reading them.
/// When the subscription comes back after Redis was away, the node reads from the database what it
/// missed meanwhile, so its members get it in order without asking.
/// </summary>
internal sealed partial class RedisMessageBroadcast(
    OrderedDelivery delivery,
    IConnectionMultiplexer redis,
    NodeIdentity node,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<ChatOptions> options,
    ILogger<RedisMessageBroadcast> logger) : IMessageBroadcast, IHostedService, IDisposable
{
    private readonly NodeChannel<IReadOnlyList<MessageDto>> _batches = new(redis, node, "messages", logger);
    private readonly CancellationTokenSource _stopping = new();

    public Task PublishAsync(IReadOnlyList<MessageDto> messages)
    {
        var deliveredHere = delivery.DeliverAsync(messages);
        // Delivery is best effort (the database is the record), so the batch is not held up for Redis.
        _batches.Publish(messages);
        return deliveredHere;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        await _batches.SubscribeAsync(batches => Task.WhenAll(batches.Select(delivery.DeliverAsync)));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        await _stopping.CancelAsync();
        await _batches.UnsubscribeAsync();
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
