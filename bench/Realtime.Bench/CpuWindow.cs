namespace Realtime.Bench;

/// <summary>
/// The CPU the servers, this load generator and the whole machine used over the measured part of a run.
/// Sends per second move with whatever else the cores run; the server's CPU time per send or delivery
/// is steadier, and it is what one server pays for the same work.
/// </summary>
internal sealed class CpuWindow
{
    private readonly IReadOnlyList<ServerProcess> _servers;
    private readonly (TimeSpan Total, TimeSpan Kernel) _servers0;
    private readonly TimeSpan _own0;
    private readonly MachineCpu? _machine0;

    private CpuWindow(IReadOnlyList<ServerProcess> servers)
    {
        _servers = servers;
        _servers0 = ServerCpu();
        _own0 = Environment.CpuUsage.TotalTime;
        _machine0 = MachineCpu.Read();
    }

    public static CpuWindow Open(IReadOnlyList<ServerProcess> servers) => new(servers);

    /// <summary>Closes the window over the measured part that took <see cref="Measurements.Elapsed"/>, and records it.</summary>
    public void Close(Measurements measured)
    {
        var end = ServerCpu();
        var cpu = end.Total - _servers0.Total;
        measured.ServerCpu = cpu;
        measured.DeliveredInWindow = measured.Delivered;
        measured.ServerKernelShare = (end.Kernel - _servers0.Kernel) / cpu;
        measured.LoadGeneratorCores = (Environment.CpuUsage.TotalTime - _own0) / measured.Elapsed;
        measured.MachineBusy = _machine0 is { } start ? MachineCpu.Read()?.BusySince(start) : null;
        measured.ServerCores = cpu / measured.Elapsed;
        if (measured.Acked > 0)
        {
            measured.ServerCpuMsPerThousandSends = cpu.TotalMilliseconds * 1000 / measured.Acked;
        }
    }

    private (TimeSpan Total, TimeSpan Kernel) ServerCpu() => _servers.Select(server => server.CpuTimes())
        .Aggregate((TimeSpan.Zero, TimeSpan.Zero), (sum, times) => (sum.Item1 + times.Total, sum.Item2 + times.Kernel));
}
