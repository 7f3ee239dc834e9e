using System.Collections.Concurrent;
using System.Diagnostics;

namespace Realtime.Bench;

/// <summary>
/// The same load for Realtime and the baseline: every sender sends at its share of --rate (or as soon
/// as its previous send is acknowledged) for the warm-up plus the measured duration. Sends during the
/// warm-up are neither timed nor counted: on two busy cores the server's tier-1 JIT recompilation alone
/// runs for over ten seconds, and pools and the thread pool grow meanwhile. Production nodes run for hours.
/// </summary>
internal static class SendLoop
{
    /// <param name="send">Sends message <c>id</c> from sender <c>i</c> and completes on its ack; false when it was refused.</param>
    /// <returns>How long the measured part took.</returns>
    public static async Task<TimeSpan> RunAsync(
        BenchOptions options, IReadOnlyCollection<int> senders, Measurements measured, ConcurrentDictionary<string, long> sent, Func<int, string, Task<bool>> send)
    {
        var interval = options.Rate > 0 ? TimeSpan.FromSeconds(senders.Count / options.Rate) : TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(senders.Select(async i =>
        {
            var next = clock.Elapsed + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds);
            for (var n = 0; clock.Elapsed < options.Warmup + options.Duration; n++)
            {
                if (interval > TimeSpan.Zero && next > clock.Elapsed)
                {
                    await Task.Delay(next - clock.Elapsed);
                }

                next += interval;
                var measuring = clock.Elapsed >= options.Warmup;
                var id = $"{i}-{n}";
                if (measuring)
                {
                    sent[id] = Stopwatch.GetTimestamp();
                }

                if (await send(i, id) && measuring)
                {
                    measured.Acknowledged();
                }
            }
        }));
        return clock.Elapsed - options.Warmup;
    }
}
