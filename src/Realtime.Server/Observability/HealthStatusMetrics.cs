using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Realtime.Server.Observability;

/// <summary>
/// Each readiness check's last result as <c>realtime.health.status{check}</c> (1 healthy, 0 not). A probe
/// answers only ready or not, and only to the kubelet; this lets an alert tell a lost database from a lost
/// Redis from a node draining, on every node at once.
/// </summary>
internal sealed class HealthStatusMetrics : IHealthCheckPublisher
{
    private volatile HealthReport? _last;

    public HealthStatusMetrics(IMeterFactory meterFactory) =>
        meterFactory.Create(ChatMetrics.MeterName).CreateObservableGauge(
            "realtime.health.status",
            Observe,
            description: "1 when the readiness check passed at its last run on this node, 0 when it did not, by check.");

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        _last = report;
        return Task.CompletedTask;
    }

    private IEnumerable<Measurement<int>> Observe() =>
        _last?.Entries.Select(entry => new Measurement<int>(
            entry.Value.Status == HealthStatus.Healthy ? 1 : 0,
            new KeyValuePair<string, object?>("check", entry.Key))) ?? [];
}
