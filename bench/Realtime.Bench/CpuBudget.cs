using System.Globalization;

namespace Realtime.Bench;

/// <summary>
/// A Linux CPU cgroup holding one node to a fraction of a core (--node-cpu). Several nodes on one
/// machine otherwise share its cores with each other and with the load generator, so adding nodes
/// only divides the same cores; with the same budget for every node, in the one-node run and the
/// cluster alike, each node compares with one node as separate machines would.
/// </summary>
internal sealed class CpuBudget : IDisposable
{
    // A short period spreads a node's share across each 10 ms instead of letting it run flat out
    // and then stall for most of a 100 ms period, which would show as latency no real node has.
    private const int PeriodMicroseconds = 10_000;

    private readonly string _directory;

    private CpuBudget(string directory) => _directory = directory;

    /// <summary>The file a process writes its own pid to in order to enter the budget.</summary>
    public string ProcessesFile => Path.Combine(_directory, "cgroup.procs");

    public static CpuBudget Create(double cores)
    {
        var name = $"realtime-bench-{Guid.NewGuid():N}";
        var quota = ((int)(cores * PeriodMicroseconds)).ToString(CultureInfo.InvariantCulture);
        var period = PeriodMicroseconds.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            {
                // cgroup v2: the cpu controller must be on for the root's children.
                File.WriteAllText("/sys/fs/cgroup/cgroup.subtree_control", "+cpu");
                var directory = Directory.CreateDirectory(Path.Combine("/sys/fs/cgroup", name)).FullName;
                File.WriteAllText(Path.Combine(directory, "cpu.max"), $"{quota} {period}");
                return new CpuBudget(directory);
            }
            else
            {
                var directory = Directory.CreateDirectory(Path.Combine("/sys/fs/cgroup/cpu", name)).FullName;
                File.WriteAllText(Path.Combine(directory, "cpu.cfs_period_us"), period);
                File.WriteAllText(Path.Combine(directory, "cpu.cfs_quota_us"), quota);
                return new CpuBudget(directory);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"--node-cpu needs Linux, root and a writable cpu cgroup: {exception.Message}", exception);
        }
    }

    /// <summary>Removes the cgroup; its processes must have exited.</summary>
    public void Dispose() => Directory.Delete(_directory);
}
