using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;
using Realtime.Server.ScaleOut;
using StackExchange.Redis;

namespace Realtime.Server.Hubs;

/// <summary>Delivers a committed batch of messages to the members of their conversations, each conversation in sequence order.</summary>
public interface IMessageBroadcast
{
    Task PublishAsync(IReadOnlyList<MessageDto> messages);
}

internal sealed class LocalMessageBroadcast(IHubContext<ChatHub, IChatClient> hub) : IMessageBroadcast
{
    public Task PublishAsync(IReadOnlyList<MessageDto> messages)
    {
        // Each send is handed to SignalR in order (a connection's writes are queued in call order);
        // only the completions are awaited together.
        var sends = new Task[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            sends[i] = hub.Clients.Group(ChatGroups.Conversation(messages[i].ConversationId)).MessageReceived(messages[i]);
        }

        return Task.WhenAll(sends);
    }
}

/// <summary>
/// A batch crosses Redis as one message on one channel, and every node hands it to its own members
/// from memory: one publish and one receive per batch and node, where a send to each conversation
/// group would cost one of each per message. Every node reads every batch, as with Socket.IO's Redis
/// adapter; a node with no members of a conversation skips its messages at the cost of reading them.
/// One publisher per node and Redis's in-order delivery on a channel keep each conversation in order.
/// </summary>
internal sealed partial class RedisMessageBroadcast(
    ScaleOutHubLifetimeManager lifetime,
    IConnectionMultiplexer redis,
    NodeIdentity node,
    ILogger<RedisMessageBroadcast> logger) : IMessageBroadcast, IHostedService
{
    // The multiplexer adds Redis:ChannelPrefix.
    private readonly RedisChannel _channel = RedisChannel.Literal("messages");

    public Task PublishAsync(IReadOnlyList<MessageDto> messages)
    {
        var deliveredHere = DeliverHereAsync(messages);
        try
        {
            // Fire and forget: waiting for Redis's reply would cost a thread wake-up a batch and add a
            // round trip to every acknowledgement, and tell us nothing we act on (delivery is best
            // effort; the database is the record). Commands still leave in call order.
            var payload = JsonSerializer.SerializeToUtf8Bytes(new Batch(node.NodeId, messages), JsonSerializerOptions.Web);
            redis.GetSubscriber().Publish(_channel, payload, CommandFlags.FireAndForget);
        }
        catch (RedisException exception)
        {
            LogPublishFailed(logger, messages.Count, exception);
        }

        return deliveredHere;
    }

    private Task DeliverHereAsync(IReadOnlyList<MessageDto> messages)
    {
        var sends = new Task[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            sends[i] = lifetime.SendLocalGroupAsync(ChatGroups.Conversation(messages[i].ConversationId), nameof(IChatClient.MessageReceived), [messages[i]]);
        }

        return Task.WhenAll(sends);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var batches = await redis.GetSubscriber().SubscribeAsync(_channel);
        batches.OnMessage(async message =>
        {
            try
            {
                var batch = JsonSerializer.Deserialize<Batch>((byte[])message.Message!, JsonSerializerOptions.Web);
                if (batch is not null && batch.Origin != node.NodeId)
                {
                    await DeliverHereAsync(batch.Messages);
                }
            }
            catch (Exception exception)
            {
                // One bad batch must not end the subscription; its messages stay in the database for resync.
                LogDeliveryFailed(logger, exception);
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => redis.GetSubscriber().UnsubscribeAsync(_channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a batch of {Count} messages to the other nodes failed; their clients will catch up on resync")]
    private static partial void LogPublishFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering a batch of messages from another node failed; clients will catch up on resync")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception);

    private sealed record Batch(string Origin, IReadOnlyList<MessageDto> Messages);
}
