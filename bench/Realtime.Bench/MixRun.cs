using System.Globalization;

namespace Realtime.Bench;

/// <summary>
/// --mix S,R,E: the same clients and conversations on one node, first sending only, then mixing sends,
/// reactions and edits; acknowledged operations per second of the mix against sends per second alone,
/// alternating over --repeat runs. Edits and reactions go through the same group commit as sends.
/// </summary>
internal static class MixRun
{
    public static async Task<int> RunAsync(BenchOptions options, CorePinning? pinning)
    {
        var mix = options.Mix!;
        var pure = new List<Measurements>();
        var mixed = new List<Measurements>();
        for (var run = 0; run < options.Repeat; run++)
        {
            foreach (var withMix in run % 2 == 0 ? new[] { false, true } : [true, false])
            {
                await using var server = await BenchCluster.StartAsync(1, options.Postgres, pinning: pinning);
                var result = await RealtimeRun.RunAsync(options, server.Nodes, withMix ? mix : null);
                (withMix ? mixed : pure).Add(result);
            }
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }

        var pureRate = Median(pure.Select(m => m.AckedPerSecond));
        var mixedRate = Median(mixed.Select(m => m.AckedPerSecond));
        var ratio = mixedRate / pureRate;
        Console.WriteLine($"| load ({options.Clients} clients, {options.Groups} conversations) | acknowledged operations/s (median of {options.Repeat}) | errors |\n|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| sends only | {pureRate:N0} | {pure.Sum(m => m.Errors.Values.Sum())} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mix {mix} | {mixedRate:N0} | {mixed.Sum(m => m.Errors.Values.Sum())} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mixed ÷ sends only: {ratio:0.00} (target ≥ 0.90); every run: sends {string.Join(", ", pure.Select(m => m.AckedPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}; mix {string.Join(", ", mixed.Select(m => m.AckedPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}"));
        if (options.JsonPath is { } path)
        {
            await BenchJson.WriteAsync(path, new { options, mix = mix.ToString(), sendsPerSecond = pureRate, mixedOperationsPerSecond = mixedRate, ratio });
        }

        var errors = mixed.Sum(m => m.Errors.Values.Sum()) + pure.Sum(m => m.Errors.Values.Sum());
        if (options.MixGuard is { } floor)
        {
            var passed = ratio >= floor && errors == 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mix guard {(passed ? "passed" : "FAILED")}: mixed ÷ sends only {ratio:0.00} (floor {floor:0.00}), {errors} errors"));
            return passed ? 0 : 1;
        }

        return 0;
    }
}
