namespace Realtime.Server.Observability;

/// <summary>
/// Counts events over the last minute in one-second buckets, so a rate is a sum of sixty numbers
/// rather than a scan of every event; a bucket is reused once its second has left the window.
/// </summary>
public sealed class RateWindow(TimeProvider clock)
{
    public const int Seconds = 60;

    private readonly long[] _counts = new long[Seconds];
    private readonly long[] _secondOf = new long[Seconds];
    private readonly Lock _gate = new();

    public void Add(long count)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var bucket = (int)(now % Seconds);
        lock (_gate)
        {
            if (_secondOf[bucket] != now)
            {
                _secondOf[bucket] = now;
                _counts[bucket] = 0;
            }

            _counts[bucket] += count;
        }
    }

    /// <summary>Events in the current second and the 59 before it.</summary>
    public long LastMinute()
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        long total = 0;
        lock (_gate)
        {
            for (var i = 0; i < Seconds; i++)
            {
                if (now - _secondOf[i] < Seconds)
                {
                    total += _counts[i];
                }
            }
        }

        return total;
    }

    /// <summary>The last minute's events per second; a node up for less than a minute still divides by sixty, so a young node does not look busier than it is.</summary>
    public double PerSecond() => LastMinute() / (double)Seconds;
}
