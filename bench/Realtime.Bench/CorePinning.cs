using System.Diagnostics;
using System.Globalization;

namespace Realtime.Bench;

/// <summary>
/// --server-cores N: each server process on its own N cores, counted down from the last core, and the
/// load generator (this process, with the relay and Redis it starts) on the cores left below them. On a
/// two-core machine with N = 1: the server on core 1, the generator on core 0. Each server is pinned
/// from its first instruction (taskset execs it), so its runtime sizes the thread pool and the GC for
/// the cores it really has, as it would in a one-core pod.
/// </summary>
internal sealed class CorePinning
{
    private readonly int _coresPerServer;
    private readonly int _servers;

    private CorePinning(int coresPerServer, int servers)
    {
        _coresPerServer = coresPerServer;
        _servers = servers;
    }

    /// <param name="servers">How many servers run at once (the nodes of the largest cluster).</param>
    public static CorePinning Create(int coresPerServer, int servers)
    {
        var cores = Environment.ProcessorCount;
        if (coresPerServer * servers >= cores)
        {
            throw new ArgumentException($"--server-cores {coresPerServer} for {servers} server(s) leaves none of the {cores} cores for the load generator");
        }

        if (!File.Exists("/usr/bin/taskset"))
        {
            throw new InvalidOperationException("--server-cores needs Linux and taskset (util-linux)");
        }

        return new CorePinning(coresPerServer, servers);
    }

    /// <summary>The cores of server <paramref name="index"/> (0 for a single server), as taskset's list.</summary>
    public string ServerCores(int index)
    {
        var last = Environment.ProcessorCount - 1 - (index * _coresPerServer);
        return Range(last - _coresPerServer + 1, last);
    }

    public string GeneratorCores => Range(0, Environment.ProcessorCount - 1 - (_servers * _coresPerServer));

    /// <summary>Moves every thread of this process onto the generator's cores; threads started later inherit it.</summary>
    public void PinLoadGenerator()
    {
        var start = new ProcessStartInfo("/usr/bin/taskset") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--all-tasks", "--cpu-list", "--pid", GeneratorCores, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var taskset = Process.Start(start)!;
        taskset.StandardOutput.ReadToEnd();
        if (!taskset.WaitForExit(10_000) || taskset.ExitCode != 0)
        {
            throw new InvalidOperationException("taskset could not pin the load generator");
        }
    }

    private static string Range(int first, int last) =>
        first == last ? first.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{first}-{last}");
}
