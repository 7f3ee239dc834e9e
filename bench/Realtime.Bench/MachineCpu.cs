namespace Realtime.Bench;

/// <summary>
/// How busy the whole machine was over a window, from /proc/stat (Linux). On one box the nodes share
/// the cores with the load generator, the database and Redis: a figure taken while the machine was
/// busy all the time is a bound of the box, not of the nodes.
/// </summary>
internal readonly record struct MachineCpu(long Busy, long Total)
{
    public static MachineCpu? Read()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        // cpu  user nice system idle iowait irq softirq steal ...; idle and iowait are the idle time.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var total = fields.Sum();
        return new MachineCpu(total - fields[3] - fields[4], total);
    }

    /// <returns>The share of the machine's CPU time that was busy since <paramref name="start"/>, 0 to 1.</returns>
    public double BusySince(MachineCpu start) =>
        Total == start.Total ? double.NaN : (double)(Busy - start.Busy) / (Total - start.Total);
}
