using System.Globalization;

namespace Realtime.Bench;

/// <summary>
/// --idle N: only the memory question: N idle connections and the server's resident bytes per connection,
/// Realtime's beside plain SignalR's for the same connections on the same protocols, and beside a bare
/// Kestrel WebSocket's, the floor under both. --groups G puts them in G conversations (consecutive users
/// together) on both hubs; --max-kb and --memory-guard are the CI guards.
/// </summary>
internal static class IdleReport
{
    /// <param name="hold">With --hold S: each server keeps its connections S seconds once measured, for a heap dump.</param>
    public static async Task<int> RunAsync(BenchOptions options, CorePinning? pinning, bool inGroups, TimeSpan hold)
    {
        var groups = inGroups ? options.Groups : 0;
        double realtime, plain, bare;
        TimeSpan realtimeConnect, plainConnect, bareConnect;
        await using (var server = await BenchCluster.StartAsync(1, options.Postgres, pinning: pinning))
        {
            (realtime, realtimeConnect) = await IdleRun.RunAsync(options.Idle, groups, server.Nodes[0], realtime: true, hold);
        }

        await using (var server = await ServerProcess.StartPlainSignalRAsync(pinning?.ServerCores(0)))
        {
            (plain, plainConnect) = await IdleRun.RunAsync(options.Idle, groups, server, realtime: false, hold);
        }

        await using (var server = await ServerProcess.StartPlainSignalRAsync(pinning?.ServerCores(0)))
        {
            (bare, bareConnect) = await IdleRun.BareAsync(options.Idle, server, hold);
        }

        Console.WriteLine(groups > 0 ? $"idle connections in {groups} conversations of {Math.Max(1, options.Idle / groups)}" : "idle connections in no conversation");
        Console.WriteLine("| idle connections | Realtime | plain SignalR | Kestrel WebSocket alone | Realtime ÷ plain SignalR |\n|---|---|---|---|---|");
        Console.WriteLine(Invariant($"| connect time (all {options.Idle:N0}) | {realtimeConnect.TotalSeconds:0.0} s | {plainConnect.TotalSeconds:0.0} s | {bareConnect.TotalSeconds:0.0} s | {realtimeConnect / plainConnect:0.00} |"));
        Console.WriteLine(Invariant($"| server memory per idle connection | {realtime / 1024:0.0} KB | {plain / 1024:0.0} KB | {bare / 1024:0.0} KB | {realtime / plain:0.00} |"));
        var passed = true;
        if (options.MaxKilobytesPerConnection is { } ceiling)
        {
            var within = realtime > 0 && realtime / 1024 <= ceiling;
            Console.WriteLine(Invariant($"memory guard {(within ? "passed" : "FAILED")}: {realtime / 1024:0.0} KB per idle connection (ceiling {ceiling:0.0} KB)"));
            passed &= within;
        }

        if (options.MemoryGuard is { } ratioCeiling)
        {
            // The ratio to plain SignalR for the same connections in the same conversations, measured in the same run.
            var ratio = realtime / plain;
            var within = realtime > 0 && plain > 0 && ratio <= ratioCeiling;
            Console.WriteLine(Invariant($"memory ratio guard {(within ? "passed" : "FAILED")}: Realtime ÷ plain SignalR {ratio:0.00} per idle connection (ceiling {ratioCeiling:0.00})"));
            passed &= within;
        }

        return passed ? 0 : 1;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
