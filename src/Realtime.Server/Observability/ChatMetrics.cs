using System.Diagnostics.Metrics;

namespace Realtime.Server.Observability;

/// <summary>The <c>Realtime</c> meter: what operators watch besides the framework's own HTTP and runtime metrics.</summary>
public sealed class ChatMetrics
{
    public const string MeterName = "Realtime";

    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _messagesPersisted;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _sendDuration;
    private readonly Counter<long> _presenceTransitions;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _backplaneMessages;
    private readonly Counter<long> _backplaneBytes;
    private readonly Counter<long> _backplaneChatMessages;
    private readonly Counter<long> _deliveryGaps;

    private readonly NodeThroughput _throughput;

    public ChatMetrics(IMeterFactory meterFactory, NodeThroughput throughput)
    {
        _throughput = throughput;
        var meter = meterFactory.Create(MeterName);
        _connections = meter.CreateUpDownCounter<long>("realtime.connections", "{connection}", "Hub connections open on this node.");
        _messagesPersisted = meter.CreateCounter<long>("realtime.messages.persisted", "{message}", "Messages durably stored and acknowledged (retries not counted).");
        _deliveries = meter.CreateCounter<long>("realtime.deliveries", "{push}", "Pushes handed to SignalR for clients, by event.");
        _sendDuration = meter.CreateHistogram<double>(
            "realtime.send.duration",
            "ms",
            "Time from receiving a send to acknowledging it: validation, membership, the transaction and the hand-off to SignalR.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 5000] });
        _presenceTransitions = meter.CreateCounter<long>("realtime.presence.transitions", "{transition}", "Users coming online or going offline, cluster-wide.");
        _errors = meter.CreateCounter<long>("realtime.errors", "{error}", "Refused or failed calls, by contract error code.");
        _backplaneMessages = meter.CreateCounter<long>("realtime.backplane.received", "{message}", "What this node read from other nodes over Redis, by channel kind.");
        _backplaneBytes = meter.CreateCounter<long>("realtime.backplane.received.size", "By", "Bytes this node read from other nodes over Redis, by channel kind.");
        _backplaneChatMessages = meter.CreateCounter<long>("realtime.backplane.messages", "{message}", "Chat messages this node read from other nodes over Redis: what its routing lets in.");
        _deliveryGaps = meter.CreateCounter<long>("realtime.delivery.gaps", "{gap}", "Gaps in a conversation's delivery on this node whose wait ran out, by outcome: read back from the database, or passed over.");
    }

    public void ConnectionOpened() => _connections.Add(1);

    /// <summary>A gap's wait ran out; every later message of its conversation on this node was held back that long.</summary>
    public void DeliveryGap(bool readBack) =>
        _deliveryGaps.Add(1, new KeyValuePair<string, object?>("outcome", readBack ? "read_back" : "passed_over"));

    public void ConnectionClosed() => _connections.Add(-1);

    public void MessagePersisted(double elapsedMilliseconds)
    {
        _messagesPersisted.Add(1);
        _throughput.Sends.Add(1);
        _sendDuration.Record(elapsedMilliseconds);
    }

    public void Delivered(string clientEvent, int count = 1)
    {
        _deliveries.Add(count, new KeyValuePair<string, object?>("event", clientEvent));
        _throughput.Deliveries.Add(count);
    }

    public void PresenceChanged(bool isOnline) =>
        _presenceTransitions.Add(1, new KeyValuePair<string, object?>("state", isOnline ? "online" : "offline"));

    public void BackplaneReceived(string kind, int bytes)
    {
        var tag = new KeyValuePair<string, object?>("kind", kind);
        _backplaneMessages.Add(1, tag);
        _backplaneBytes.Add(bytes, tag);
    }

    public void BackplaneMessagesReceived(int count) => _backplaneChatMessages.Add(count);

    public void Failed(string code) => _errors.Add(1, new KeyValuePair<string, object?>("code", code));
}
