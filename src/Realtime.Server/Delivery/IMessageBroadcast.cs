namespace Realtime.Server.Delivery;

/// <summary>Delivers a committed batch of log entries to the members of their conversations on every node, each conversation in revision order.</summary>
public interface IMessageBroadcast
{
    Task PublishAsync(IReadOnlyList<LogEntry> entries);
}

/// <summary>One node: the batch goes straight to this node's ordered delivery.</summary>
internal sealed class LocalMessageBroadcast(OrderedDelivery delivery) : IMessageBroadcast
{
    public Task PublishAsync(IReadOnlyList<LogEntry> entries) => delivery.DeliverAsync(entries);
}
