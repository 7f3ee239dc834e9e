using System.Threading.Channels;
using Realtime.Contracts;
using Realtime.Server.Delivery;
using Realtime.Server.Observability;
using Realtime.Server.Connections;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// One Redis channel per conversation, which a node reads while it has members of that conversation:
/// a node's Redis ingress is what its own members' conversations carry, however large the cluster.
/// A subscription that takes effect after messages were published finds them in the database: each
/// new subscription reads where its conversation stands and delivers what came meanwhile. A subscribe
/// that fails while Redis is away is made again when Redis returns.
/// </summary>
internal sealed partial class ConversationChannels : IHostedService, IDisposable
{
    private const string Kind = "messages";

    private readonly ConversationInterest _interest;
    private readonly OrderedDelivery _delivery;
    private readonly IConnectionMultiplexer _redis;
    private readonly NodeIdentity _node;
    private readonly ChatMetrics _metrics;
    private readonly ILogger<ConversationChannels> _logger;
    private readonly NodeChannel<IReadOnlyList<LogEntry>> _publisher;
    private readonly Channel<Change> _changes = Channel.CreateUnbounded<Change>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();

    // The worker's alone.
    private readonly HashSet<string> _wanted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeChannel<IReadOnlyList<LogEntry>>> _subscribed = new(StringComparer.Ordinal);
    private Task _working = Task.CompletedTask;

    public ConversationChannels(
        ConversationInterest interest, OrderedDelivery delivery, IConnectionMultiplexer redis, NodeIdentity node, ChatMetrics metrics, ILogger<ConversationChannels> logger)
    {
        (_interest, _delivery, _redis, _node, _metrics, _logger) = (interest, delivery, redis, node, metrics, logger);
        _publisher = new NodeChannel<IReadOnlyList<LogEntry>>(redis, node, Kind, logger);
    }

    public static string ChannelOf(string conversationId) => Kind + ":" + conversationId;

    /// <summary>Publishes each conversation's part of a committed batch on that conversation's channel.</summary>
    public void Publish(IReadOnlyList<LogEntry> messages)
    {
        if (messages.Count > 0 && messages.All(m => m.ConversationId == messages[0].ConversationId))
        {
            _publisher.PublishOn(ChannelOf(messages[0].ConversationId), messages);
            return;
        }

        foreach (var conversation in messages.GroupBy(m => m.ConversationId, StringComparer.Ordinal))
        {
            _publisher.PublishOn(ChannelOf(conversation.Key), conversation.ToList());
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _interest.Gained += OnGained;
        _interest.Lost += OnLost;
        _redis.ConnectionRestored += OnConnectionRestored;
        _working = Task.Run(WorkAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _interest.Gained -= OnGained;
        _interest.Lost -= OnLost;
        _redis.ConnectionRestored -= OnConnectionRestored;
        _changes.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _working;
        await Task.WhenAll(_subscribed.Values.Select(channel => channel.UnsubscribeAsync()));
    }

    public void Dispose() => _stopping.Dispose();

    private void OnGained(string conversationId) => _changes.Writer.TryWrite(new Change(conversationId, Wanted: true));

    private void OnLost(string conversationId) => _changes.Writer.TryWrite(new Change(conversationId, Wanted: false));

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _changes.Writer.TryWrite(Change.Retry);
        }
    }

    /// <summary>Takes every change that queued up at once, so a burst of connects costs one catch-up read, not one per conversation.</summary>
    private async Task WorkAsync()
    {
        var reader = _changes.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                var retry = false;
                while (reader.TryRead(out var change))
                {
                    retry |= change.ConversationId is null;
                    if (change.ConversationId is null)
                    {
                        continue;
                    }

                    if (change.Wanted)
                    {
                        _wanted.Add(change.ConversationId);
                    }
                    else if (_wanted.Remove(change.ConversationId) && _subscribed.Remove(change.ConversationId, out var channel))
                    {
                        await channel.UnsubscribeAsync();
                    }
                }

                await SubscribeWantedAsync(retry);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task SubscribeWantedAsync(bool afterOutage)
    {
        var missing = _wanted.Where(id => !_subscribed.ContainsKey(id)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var subscribed = await Task.WhenAll(missing.Select(SubscribeAsync));
        var added = missing.Where((_, i) => subscribed[i]).ToList();
        if (added.Count == 0)
        {
            return;
        }

        try
        {
            await _delivery.CatchUpAsync(_stopping.Token, added);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogCatchUpFailed(_logger, added.Count, exception);
        }

        if (afterOutage)
        {
            LogResubscribed(_logger, added.Count);
        }
    }

    private async Task<bool> SubscribeAsync(string conversationId)
    {
        var channel = new NodeChannel<IReadOnlyList<LogEntry>>(_redis, _node, ChannelOf(conversationId), _logger, bytes => _metrics.BackplaneReceived(Kind, bytes));
        try
        {
            await channel.SubscribeAsync(batches =>
            {
                _metrics.BackplaneMessagesReceived(batches.Sum(batch => batch.Count));
                return Task.WhenAll(batches.Select(_delivery.DeliverAsync));
            });
            _subscribed[conversationId] = channel;
            return true;
        }
        catch (RedisException exception)
        {
            LogSubscribeFailed(_logger, conversationId, exception);
            return false;
        }
    }

    private readonly record struct Change(string? ConversationId, bool Wanted)
    {
        public static readonly Change Retry = new(null, Wanted: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to conversation {ConversationId} failed; trying again when Redis is back")]
    private static partial void LogSubscribeFailed(ILogger logger, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back: subscribed again to {Count} conversations")]
    private static partial void LogResubscribed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading where {Count} newly subscribed conversations stand failed; their members catch up with GetMessages")]
    private static partial void LogCatchUpFailed(ILogger logger, int count, Exception exception);
}
