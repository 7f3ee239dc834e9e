using System.Diagnostics;
using HdrHistogram;

namespace Realtime.Bench;

/// <summary>
/// The floor under every persisted latency: how long the disk takes to make a small write durable.
/// A send is acknowledged only after its commit's fsync, so a slow fsync reaches the latency tail as
/// it is; the baseline relay never touches the disk. Measured on the idle machine, before the load.
/// </summary>
internal static class StorageProbe
{
    public static LongHistogram Measure(string directory, TimeSpan duration)
    {
        var microseconds = new LongHistogram(TimeStamp.Minutes(1), 3);
        var block = new byte[4096];
        using var file = new FileStream(Path.Combine(directory, $"fsync-probe-{Environment.ProcessId}.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            file.Write(block);
            var started = Stopwatch.GetTimestamp();
            file.Flush(flushToDisk: true);
            microseconds.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds));
            Thread.Sleep(1);
        }

        return microseconds;
    }
}
