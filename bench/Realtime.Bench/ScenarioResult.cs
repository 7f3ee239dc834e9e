using System.Globalization;

namespace Realtime.Bench;

/// <summary>One figure of a scenario over its runs: the medians of each server, and the median of each run's own ratio.</summary>
internal sealed record MetricResult(string Metric, double Realtime, double PlainSignalR, double Ratio, string? Target, IReadOnlyList<double> RunRatios);

/// <summary>What a scenario measured over its --repeat runs.</summary>
internal sealed record ScenarioResult(string Scenario, string Shape, int Runs, IReadOnlyList<MetricResult> Metrics, IReadOnlyDictionary<string, long> RealtimeErrors, IReadOnlyDictionary<string, long> PlainSignalRErrors)
{
    public static ScenarioResult From(Scenario scenario, IReadOnlyList<(Measurements Realtime, Measurements Plain)> pairs)
    {
        var metrics = scenario.Metrics.Select(metric =>
        {
            // Each run's ratio compares two servers that met the same minutes of the machine's drift.
            var ratios = pairs.Select(p => metric.Read(p.Realtime) / metric.Read(p.Plain)).ToList();
            return new MetricResult(metric.Name, Median(pairs.Select(p => metric.Read(p.Realtime))), Median(pairs.Select(p => metric.Read(p.Plain))), Median(ratios), metric.Target, ratios);
        }).ToList();
        return new ScenarioResult(scenario.Name, scenario.Shape, pairs.Count, metrics, Errors(pairs.Select(p => p.Realtime)), Errors(pairs.Select(p => p.Plain)));
    }

    public static void Print(IReadOnlyList<ScenarioResult> results)
    {
        static string F(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "-" : value.ToString(Math.Abs(value) >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine("| scenario | metric | Realtime | plain SignalR | Realtime ÷ plain SignalR | target | each run's ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var result in results)
        {
            foreach (var metric in result.Metrics)
            {
                Console.WriteLine($"| {result.Scenario}: {result.Shape} | {metric.Metric} | {F(metric.Realtime)} | {F(metric.PlainSignalR)} | {F(metric.Ratio)} | {metric.Target ?? "-"} | {string.Join(", ", metric.RunRatios.Select(F))} |");
            }

            Console.WriteLine($"| {result.Scenario}: {result.Shape} | errors | {Describe(result.RealtimeErrors)} | {Describe(result.PlainSignalRErrors)} | - | none | - |");
        }

        Console.WriteLine($"Medians of {(results.Count > 0 ? results[0].Runs : 0)} runs each; the ratio is the median of each run's own ratio, so it need not equal the ratio of the two medians.");
    }

    private static string Describe(IReadOnlyDictionary<string, long> errors) =>
        errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}"));

    private static Dictionary<string, long> Errors(IEnumerable<Measurements> runs) =>
        runs.SelectMany(m => m.Errors).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
