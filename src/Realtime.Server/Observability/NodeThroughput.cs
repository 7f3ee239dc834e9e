namespace Realtime.Server.Observability;

/// <summary>
/// This node's sends and deliveries over the last minute, for the admin API. Fed by <see cref="ChatMetrics"/>,
/// which every place that counts them already calls, rather than read back out of the metrics pipeline.
/// </summary>
public sealed class NodeThroughput(TimeProvider clock)
{
    public RateWindow Sends { get; } = new(clock);

    public RateWindow Deliveries { get; } = new(clock);
}
