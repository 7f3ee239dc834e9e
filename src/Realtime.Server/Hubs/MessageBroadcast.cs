using Realtime.Contracts;
using Realtime.Server.ScaleOut;
using StackExchange.Redis;

namespace Realtime.Server.Hubs;

/// <summary>Delivers a committed batch of messages to the members of their conversations, each conversation in sequence order.</summary>
public interface IMessageBroadcast
{
    Task PublishAsync(IReadOnlyList<MessageDto> messages);
}

internal sealed class LocalMessageBroadcast(ChatHubLifetimeManager lifetime) : IMessageBroadcast
{
    public Task PublishAsync(IReadOnlyList<MessageDto> messages) => lifetime.SendMessagesAsync(messages);
}

/// <summary>
/// A batch crosses Redis as one message on one channel, and every node hands it to its own members
/// from memory: one publish and one receive per batch and node, where a send to each conversation
/// group would cost one of each per message. Every node reads every batch, as with Socket.IO's Redis
/// adapter; a node with no members of a conversation skips its messages at the cost of reading them.
/// Batches that queued up while a node was busy go out to its members together (the lifetime
/// manager's one writer merges them), one write each.
/// </summary>
internal sealed class RedisMessageBroadcast(
    ChatHubLifetimeManager lifetime,
    IConnectionMultiplexer redis,
    NodeIdentity node,
    ILogger<RedisMessageBroadcast> logger) : IMessageBroadcast, IHostedService
{
    private readonly NodeChannel<IReadOnlyList<MessageDto>> _batches = new(redis, node, "messages", logger);

    public Task PublishAsync(IReadOnlyList<MessageDto> messages)
    {
        var deliveredHere = lifetime.SendMessagesAsync(messages);
        // Delivery is best effort (the database is the record), so the batch is not held up for Redis.
        _batches.Publish(messages);
        return deliveredHere;
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        _batches.SubscribeAsync(batches => Task.WhenAll(batches.Select(lifetime.SendMessagesAsync)));

    public Task StopAsync(CancellationToken cancellationToken) => _batches.UnsubscribeAsync();
}
