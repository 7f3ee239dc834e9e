using System.Globalization;

namespace Realtime.Bench;

/// <summary>
/// Ends the warm-up once the nodes run the code they will keep running. A node's JIT goes on
/// recompiling hot methods (tier 0, instrumented, then optimised with what the instrumentation saw)
/// long after start-up, and for longer the less CPU the node has: held to 0.4 of a core, a node spent
/// half of its first two minutes of CPU in the JIT. Measuring then would time the compiler.
/// </summary>
internal static class JitWarmUp
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(300);

    // Quiet: over the last six steps (30 s), under 5 % of the node's CPU time went to the JIT, on every
    // node. A shorter look mistakes the lull between the first compilations and the recompilation of
    // hot code, 10-15 s long, for the end of the warm-up.
    private const int StepsLookedBack = 6;
    private const double QuietShare = 0.05;

    /// <summary>Waits at least <paramref name="minimum"/>, then until the JIT is quiet on every node.</summary>
    public static async Task UntilQuietAsync(IReadOnlyList<ServerProcess> servers, TimeSpan minimum)
    {
        var started = DateTime.UtcNow;
        var lookBack = StepsLookedBack * Step;
        await Task.Delay(minimum > lookBack ? minimum - lookBack : TimeSpan.Zero);
        var samples = new Queue<(double Jit, TimeSpan Cpu)[]>();
        while (true)
        {
            samples.Enqueue(await Task.WhenAll(servers.Select(async server => (await server.JitSecondsAsync(), server.ProcessorTime()))));
            if (samples.Count > StepsLookedBack)
            {
                var then = samples.Dequeue();
                var now = samples.Last();
                if (now.Zip(then).All(s => s.First.Jit - s.Second.Jit < QuietShare * (s.First.Cpu - s.Second.Cpu).TotalSeconds))
                {
                    return;
                }
            }

            if (DateTime.UtcNow - started > Longest)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: the nodes' JIT was still busy after {Longest.TotalSeconds:0} s; measuring anyway"));
                return;
            }

            await Task.Delay(Step);
        }
    }
}
