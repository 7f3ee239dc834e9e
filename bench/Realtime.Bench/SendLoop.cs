using System.Collections.Concurrent;
using System.Diagnostics;

namespace Realtime.Bench;

/// <summary>
/// The same load for Realtime and the baseline: every sender sends at its share of --rate (or as soon
/// as its previous send is acknowledged) until the warm-up is over, then for the measured duration.
/// Sends during the warm-up are neither timed nor counted: the nodes' JIT is still recompiling hot code
/// (see <see cref="JitWarmUp"/>), and pools and the thread pool grow meanwhile. Production nodes run for hours.
/// </summary>
internal static class SendLoop
{
    /// <param name="warmUp">Started with the load; the measured part begins when it completes.</param>
    /// <param name="send">Sends message <c>id</c> from sender <c>i</c> and completes on its ack; false when it was refused.</param>
    /// <returns>How long the warm-up and the measured part took.</returns>
    public static async Task<(TimeSpan WarmUp, TimeSpan Measured)> RunAsync(
        BenchOptions options, Func<Task> warmUp, IReadOnlyCollection<int> senders, Measurements measured, ConcurrentDictionary<string, long> sent, Func<int, string, Task<bool>> send)
    {
        var interval = options.Rate > 0 ? TimeSpan.FromSeconds(senders.Count / options.Rate) : TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var warmedUpAt = warmUp().ContinueWith(w => w.IsCompletedSuccessfully ? clock.Elapsed : throw w.Exception!, TaskScheduler.Default);
        bool Going() => !warmedUpAt.IsCompleted || clock.Elapsed < warmedUpAt.Result + options.Duration;
        await Task.WhenAll(senders.Select(async i =>
        {
            var next = clock.Elapsed + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds);
            for (var n = 0; Going(); n++)
            {
                if (interval > TimeSpan.Zero && next > clock.Elapsed)
                {
                    await Task.Delay(next - clock.Elapsed);
                }

                next += interval;
                var measuring = warmedUpAt.IsCompletedSuccessfully;
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
        return (await warmedUpAt, clock.Elapsed - await warmedUpAt);
    }
}
