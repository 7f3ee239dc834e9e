using Realtime.Contracts;

namespace Realtime.Server.Delivery;

/// <summary>Delivers a committed batch of messages to the members of their conversations on every node, each conversation in sequence order.</summary>
public interface IMessageBroadcast
{
    Task PublishAsync(IReadOnlyList<MessageDto> messages);
}

/// <summary>One node: the batch goes straight to this node's ordered delivery.</summary>
internal sealed class LocalMessageBroadcast(OrderedDelivery delivery) : IMessageBroadcast
{
    public Task PublishAsync(IReadOnlyList<MessageDto> messages) => delivery.DeliverAsync(messages);
}
