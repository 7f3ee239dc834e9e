using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace Realtime.Bench;

/// <summary>What one run measured, from the clients' side.</summary>
internal sealed class Measurements(string name)
{
    private readonly LongConcurrentHistogram _latency = new(1, TimeStamp.Hours(1), 3);
    private readonly LongConcurrentHistogram _connect = new(1, TimeStamp.Hours(1), 3);
    private readonly ConcurrentQueue<(double Second, double Milliseconds)> _samples = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _acked;
    private long _delivered;

    public string Name { get; } = name;

    public ConcurrentDictionary<string, long> Errors { get; } = new();

    public TimeSpan Elapsed { get; set; }

    public TimeSpan WarmUp { get; set; }

    public double? ServerBytesPerConnection { get; set; }

    public double? ServerCpuMsPerThousandSends { get; set; }

    /// <summary>The CPU time the server processes used over the measured part, all of them together.</summary>
    public TimeSpan? ServerCpu { get; set; }

    /// <summary>Deliveries of measured sends that had arrived when the measured part ended.</summary>
    public long DeliveredInWindow { get; set; }

    /// <summary>From the first connect until every client had joined its group: what a new node or a reconnect storm waits for.</summary>
    public TimeSpan SetupTime { get; set; }

    public double ServerCpuMicrosecondsPerDelivery => ServerCpu is { } cpu && DeliveredInWindow > 0 ? cpu.TotalMicroseconds / DeliveredInWindow : double.NaN;

    public double ServerCpuMicrosecondsPerSend => ServerCpu is { } cpu && Acked > 0 ? cpu.TotalMicroseconds / Acked : double.NaN;

    /// <summary>The cores the server processes used on average over the measured part, all nodes together.</summary>
    public double? ServerCores { get; set; }

    /// <summary>The share of the server processes' CPU time spent in the kernel, 0 to 1.</summary>
    public double? ServerKernelShare { get; set; }

    /// <summary>The cores the load generator (this process) used on average over the measured part.</summary>
    public double? LoadGeneratorCores { get; set; }

    /// <summary>The share of the whole machine's CPU that was busy over the measured part, 0 to 1.</summary>
    public double? MachineBusy { get; set; }

    public long Acked => Interlocked.Read(ref _acked);

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>How many connects were recorded (each one's time is in the connect histogram).</summary>
    public long ConnectedCount => _connect.TotalCount;

    public void Connected(TimeSpan took) => _connect.RecordValue(Math.Max(1, (long)(took.TotalMilliseconds * 1000)));

    public void Acknowledged() => Interlocked.Increment(ref _acked);

    /// <summary>A delivery of a message sent at <paramref name="sentTimestamp"/> (Stopwatch ticks).</summary>
    public void Delivery(long sentTimestamp)
    {
        var count = Interlocked.Increment(ref _delivered);
        var latency = Stopwatch.GetElapsedTime(sentTimestamp);
        _latency.RecordValue(Math.Max(1, (long)(latency.TotalMilliseconds * 1000)));
        // Every 16th delivery is kept for the latency-over-time plot.
        if (count % 16 == 0)
        {
            _samples.Enqueue((Stopwatch.GetElapsedTime(_start).TotalSeconds, latency.TotalMilliseconds));
        }
    }

    public IReadOnlyCollection<(double Second, double Milliseconds)> Samples => _samples;

    /// <summary>Waits (at most five seconds) until every acknowledged send has reached all <paramref name="members"/>.</summary>
    public async Task DrainedAsync(int members)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 5;
        while (Delivered < Acked * members && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
    }

    public void Failed(string code) => Errors.AddOrUpdate(code, 1, (_, n) => n + 1);

    public double AckedPerSecond => Acked / Elapsed.TotalSeconds;

    public double DeliveredPerSecond => Delivered / Elapsed.TotalSeconds;

    /// <summary>End-to-end latency in milliseconds at a percentile (100 = max).</summary>
    public double LatencyMs(double percentile) =>
        _latency.TotalCount == 0 ? double.NaN : (percentile >= 100 ? _latency.GetMaxValue() : _latency.GetValueAtPercentile(percentile)) / 1000.0;

    public double ConnectMs(double percentile) =>
        _connect.TotalCount == 0 ? double.NaN : (percentile >= 100 ? _connect.GetMaxValue() : _connect.GetValueAtPercentile(percentile)) / 1000.0;
}
