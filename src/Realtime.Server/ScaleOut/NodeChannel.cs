using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Realtime.Server.Connections;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// A Redis channel that every node publishes to and reads, each node skipping what it published
/// itself (it has already applied that). A value crosses as its publisher's node id, a line break,
/// then JSON, so a node knows its own echo without parsing it.
/// The reader hands over everything that has queued up at once, so a node that falls behind catches
/// up in fewer, larger steps. One publisher per node and Redis's in-order delivery on a channel keep
/// each node's values in the order it published them.
/// </summary>
internal sealed partial class NodeChannel<T>(IConnectionMultiplexer redis, NodeIdentity node, string name, ILogger logger, Action<int>? received = null)
{
    // The multiplexer adds Redis:ChannelPrefix.
    private readonly RedisChannel _channel = RedisChannel.Literal(name);
    private readonly byte[] _ownOrigin = Encoding.UTF8.GetBytes(node.NodeId + "\n");
    private ChannelMessageQueue? _queue;
    private Task _reading = Task.CompletedTask;

    /// <summary>
    /// Publishes without waiting for Redis's reply, which would cost a thread wake-up a value and tell
    /// the caller nothing it acts on. Commands still leave in call order.
    /// </summary>
    public void Publish(T value) => PublishOn(_channel, value);

    /// <summary>Publishes in the same way on the channel <paramref name="other"/>, which a <see cref="NodeChannel{T}"/> of that name reads.</summary>
    public void PublishOn(string other, T value) => PublishOn(RedisChannel.Literal(other), value);

    private void PublishOn(RedisChannel channel, T value)
    {
        try
        {
            redis.GetSubscriber().Publish(channel, Frame(value), CommandFlags.FireAndForget);
        }
        catch (RedisException exception)
        {
            LogPublishFailed(logger, name, exception);
        }
    }

    /// <summary>Publishes and waits for Redis to take the value; a failure reaches the caller.</summary>
    public Task PublishAsync(T value) => redis.GetSubscriber().PublishAsync(_channel, Frame(value));

    /// <summary>Starts reading what the other nodes publish; <paramref name="onReceived"/> runs for one list at a time, in order.</summary>
    public async Task SubscribeAsync(Func<IReadOnlyList<T>, Task> onReceived)
    {
        try
        {
            _queue = await redis.GetSubscriber().SubscribeAsync(_channel);
        }
        catch (RedisException)
        {
            // The multiplexer keeps the queue it made for a subscribe that failed, and would fill it once
            // Redis is back with nobody reading: drop it, and let the caller subscribe again later.
            await ForgetAsync();
            throw;
        }

        _reading = Task.Run(() => ReadAsync(_queue, onReceived));
    }

    private async Task ForgetAsync()
    {
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(_channel, handler: null, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Redis is away; the subscription is gone from the multiplexer all the same.
        }
    }

    public async Task UnsubscribeAsync()
    {
        if (_queue is not null)
        {
            try
            {
                await _queue.UnsubscribeAsync();
            }
            catch (RedisException)
            {
                // Redis is away: it has forgotten the subscription itself, and the queue is closed here.
            }
        }

        await _reading;
    }

    private byte[] Frame(T value)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web);
        var frame = new byte[_ownOrigin.Length + json.Length];
        _ownOrigin.CopyTo(frame, 0);
        json.CopyTo(frame, _ownOrigin.Length);
        return frame;
    }

    private async Task ReadAsync(ChannelMessageQueue queue, Func<IReadOnlyList<T>, Task> onReceived)
    {
        while (true)
        {
            ChannelMessage first;
            try
            {
                first = await queue.ReadAsync();
            }
            catch (ChannelClosedException)
            {
                return;
            }

            var values = new List<T>();
            Add(values, first);
            while (queue.TryRead(out var next))
            {
                Add(values, next);
            }

            if (values.Count == 0)
            {
                continue;
            }

            try
            {
                await onReceived(values);
            }
            catch (Exception exception)
            {
                // One failure must not end the subscription: what it carried is in the database, and
                // clients catch up on resync.
                LogReceiveFailed(logger, name, exception);
            }
        }
    }

    private void Add(List<T> values, ChannelMessage message)
    {
        var frame = ((ReadOnlyMemory<byte>)message.Message).Span;
        // Counted before the echo is skipped: Redis sends it all the same.
        received?.Invoke(frame.Length);
        if (frame.StartsWith(_ownOrigin))
        {
            return;
        }

        var lineBreak = frame.IndexOf((byte)'\n');
        if (lineBreak < 0)
        {
            return;
        }

        try
        {
            if (JsonSerializer.Deserialize<T>(frame[(lineBreak + 1)..], JsonSerializerOptions.Web) is { } value)
            {
                values.Add(value);
            }
        }
        catch (JsonException exception)
        {
            LogReceiveFailed(logger, name, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing on the {Channel} channel failed; the other nodes' clients will catch up on resync")]
    private static partial void LogPublishFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling what another node published on the {Channel} channel failed")]
    private static partial void LogReceiveFailed(ILogger logger, string channel, Exception exception);
}
