using System.Globalization;
using static Realtime.Bench.ScaleOutReport;

namespace Realtime.Bench;

/// <summary>The comparison run's table: Realtime beside the relay and beside plain SignalR, each ratio 1 when as good.</summary>
internal static class ComparisonTable
{
    public sealed record Row(string Metric, double Ours, double Relay, double Plain, bool HigherIsBetter);

    public static List<Row> Rows(Measurements realtime, Measurements relay, Measurements plain) =>
    [
        new("acked sends/s", realtime.AckedPerSecond, relay.AckedPerSecond, plain.AckedPerSecond, true),
        new("deliveries/s", realtime.DeliveredPerSecond, relay.DeliveredPerSecond, plain.DeliveredPerSecond, true),
        new("latency p50 ms", realtime.LatencyMs(50), relay.LatencyMs(50), plain.LatencyMs(50), false),
        new("latency p90 ms", realtime.LatencyMs(90), relay.LatencyMs(90), plain.LatencyMs(90), false),
        new("latency p99 ms", realtime.LatencyMs(99), relay.LatencyMs(99), plain.LatencyMs(99), false),
        new("latency p99.9 ms", realtime.LatencyMs(99.9), relay.LatencyMs(99.9), plain.LatencyMs(99.9), false),
        new("latency max ms", realtime.LatencyMs(100), relay.LatencyMs(100), plain.LatencyMs(100), false),
        new("connect p50 ms", realtime.ConnectMs(50), relay.ConnectMs(50), plain.ConnectMs(50), false),
        new("connect max ms", realtime.ConnectMs(100), relay.ConnectMs(100), plain.ConnectMs(100), false),
        new("connect + join all groups s", realtime.SetupTime.TotalSeconds, double.NaN, plain.SetupTime.TotalSeconds, false),
        // The relay runs inside the load generator, so it has no CPU of its own to read.
        new("server CPU ms per 1,000 sends", realtime.ServerCpuMsPerThousandSends ?? double.NaN, double.NaN, plain.ServerCpuMsPerThousandSends ?? double.NaN, false),
        new("server CPU µs per delivery", realtime.ServerCpuMicrosecondsPerDelivery, double.NaN, plain.ServerCpuMicrosecondsPerDelivery, false),
    ];

    /// <summary>1 = as good as the baseline, below 1 worse, whichever way the metric points.</summary>
    public static string Ratio(double ours, double theirs, bool higherIsBetter) =>
        double.IsNaN(ours) || double.IsNaN(theirs) || theirs == 0 || ours == 0 ? "-" : (higherIsBetter ? ours / theirs : theirs / ours).ToString("0.00", CultureInfo.InvariantCulture);

    public static void Print(IReadOnlyList<Row> rows, Measurements realtime, Measurements plain)
    {
        Console.WriteLine();
        Console.WriteLine("| metric | Realtime | baseline relay | ratio (1 = as good as the relay) | plain SignalR | ratio (1 = as good as plain SignalR) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {row.Metric} | {F(row.Ours)} | {F(row.Relay)} | {Ratio(row.Ours, row.Relay, row.HigherIsBetter)} | {F(row.Plain)} | {Ratio(row.Ours, row.Plain, row.HigherIsBetter)} |");
        }

        Console.WriteLine($"| warm-up s (servers: until the JIT was quiet; relay: --warmup) | {F(realtime.WarmUp.TotalSeconds)} | - | - | {F(plain.WarmUp.TotalSeconds)} | - |");
        Console.WriteLine($"| server cores used | {F(realtime.ServerCores ?? double.NaN)} | - | - | {F(plain.ServerCores ?? double.NaN)} | - |");
        Console.WriteLine($"| server CPU in the kernel | {Percent(realtime.ServerKernelShare)} | - | - | {Percent(plain.ServerKernelShare)} | - |");
        Console.WriteLine($"| load generator cores used | {F(realtime.LoadGeneratorCores ?? double.NaN)} | - | - | {F(plain.LoadGeneratorCores ?? double.NaN)} | - |");
        Console.WriteLine($"| whole machine CPU busy | {Percent(realtime.MachineBusy)} | - | - | {Percent(plain.MachineBusy)} | - |");
        Console.WriteLine($"| server memory per connection | {Kilobytes(realtime.ServerBytesPerConnection)} | - | - | {Kilobytes(plain.ServerBytesPerConnection)} | - |");
        Console.WriteLine($"| errors | {Describe(realtime)} | - | - | {Describe(plain)} | - |");
    }

    private static string Kilobytes(double? bytes) => bytes is { } b ? F(b / 1024) + " KB" : "-";

    private static string Describe(Measurements measured) =>
        measured.Errors.IsEmpty ? "none" : string.Join(", ", measured.Errors.Select(e => $"{e.Key}: {e.Value}"));
}
