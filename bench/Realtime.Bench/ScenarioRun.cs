using System.Globalization;

namespace Realtime.Bench;

/// <summary>
/// --scenario: each scenario --repeat times on Realtime and on plain SignalR, the two taking turns to go
/// first (the machine's speed drifts within the hour, and whichever runs second would otherwise always
/// meet the same part of the drift). Each run has a fresh server process, pinned with --server-cores; with
/// --backplane each (Realtime's node and the plain SignalR hub) on a Redis of its own.
/// </summary>
internal static class ScenarioRun
{
    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchOptions options, CorePinning? pinning)
    {
        var results = new List<ScenarioResult>();
        foreach (var scenario in Scenario.Select(options))
        {
            var shaped = scenario.Apply(options);
            var pairs = new List<(Measurements Realtime, Measurements Plain)>();
            for (var run = 0; run < options.Repeat; run++)
            {
                Measurements? realtime = null, plain = null;
                foreach (var realtimeTurn in run % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    if (realtimeTurn)
                    {
                        await using var node = await BenchCluster.StartAsync(1, options.Postgres, options.NodeCpu, options.Backplane, pinning);
                        realtime = scenario.ConnectOnly ? await ConnectRun.RealtimeAsync(shaped, node.Nodes[0]) : await RealtimeRun.RunAsync(shaped, node.Nodes);
                    }
                    else
                    {
                        // With --backplane the baseline runs on a Redis backplane too: SignalR's own.
                        await using var plainNode = await BenchCluster.StartAsync(1, coresPerNode: options.NodeCpu, backplane: options.Backplane, pinning: pinning, plain: true);
                        var server = plainNode.Nodes[0];
                        plain = scenario.ConnectOnly ? await ConnectRun.PlainSignalRAsync(shaped, server) : await PlainSignalRRun.RunAsync(shaped, server);
                    }
                }

                pairs.Add((realtime!, plain!));
                var headline = scenario.Metrics[0];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{scenario.Name} run {run + 1}/{options.Repeat} ({(run % 2 == 0 ? "Realtime first" : "plain SignalR first")}): {headline.Name} {headline.Read(realtime!):0.00} against {headline.Read(plain!):0.00}, warm-up {realtime!.WarmUp.TotalSeconds:0} s and {plain!.WarmUp.TotalSeconds:0} s"));
            }

            results.Add(ScenarioResult.From(scenario, pairs));
        }

        return results;
    }
}
