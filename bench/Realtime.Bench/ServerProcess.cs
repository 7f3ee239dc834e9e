using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Realtime.Bench;

/// <summary>One server (a Realtime node, or the plain SignalR baseline) as its own process on a free loopback port.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly CpuBudget? _budget;

    private ServerProcess(Process process, Uri url, CpuBudget? budget)
    {
        _process = process;
        Url = url;
        _budget = budget;
    }

    public Uri Url { get; }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <param name="cores">When set, the node runs inside a CPU budget of this many cores from its first instruction.</param>
    /// <param name="cpuList">When set, the node runs on these cores only (taskset's list, see <see cref="CorePinning"/>).</param>
    /// <param name="settings">Settings of this run over the benchmark's (the storm keeps the connect limits).</param>
    /// <param name="dll">Another build of the server (a ReadyToRun publish) instead of the solution's.</param>
    public static Task<ServerProcess> StartAsync(string provider, string connectionString, string? redis = null, double? cores = null, string? cpuList = null, IReadOnlyDictionary<string, string>? settings = null, string? dll = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = provider,
            ["ConnectionStrings__Chat"] = connectionString,
            ["Chat__HubCallsPerSecond"] = "1000000",
            ["Chat__HubCallBurst"] = "1000000",
            ["Chat__HttpRequestsPerSecond"] = "1000000",
            ["Chat__HttpRequestBurst"] = "1000000",
            ["Chat__ConnectsPerMinute"] = "1000000",
            ["Chat__ConnectBurst"] = "1000000",
        };
        if (redis is not null)
        {
            environment["Redis__ConnectionString"] = redis;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return LaunchAsync(dll is null ? FindBuiltDll(Path.Combine("src", "Realtime.Server"), "Realtime.Server.dll") : Path.GetFullPath(dll), environment, cores, cpuList);
    }

    /// <summary>The plain SignalR baseline (bench/PlainSignalR) as its own process, so it is pinned and measured as a node is.</summary>
    /// <param name="redis">When set, its hubs scale out over SignalR's own Redis backplane on this server.</param>
    public static Task<ServerProcess> StartPlainSignalRAsync(string? cpuList = null, double? cores = null, string? redis = null) =>
        LaunchAsync(
            FindBuiltDll(Path.Combine("bench", "PlainSignalR"), "PlainSignalR.dll"),
            redis is null ? [] : new Dictionary<string, string> { ["Redis__ConnectionString"] = redis },
            cores,
            cpuList);

    /// <summary>The process id, and the moment the process was started (for time to full speed).</summary>
    public int ProcessId => _process.Id;

    public DateTime StartedAt => _process.StartTime.ToUniversalTime();

    /// <summary>Ends the server at once with SIGKILL, as a node that dies does: no drain, no goodbye to its clients.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    private static async Task<ServerProcess> LaunchAsync(string dll, Dictionary<string, string> environment, double? cores, string? cpuList)
    {
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var budget = cores is { } c ? CpuBudget.Create(c) : null;
        // From its own folder, so the Development settings (dev tokens, dev signing key) apply.
        var start = new ProcessStartInfo(budget is null ? "dotnet" : "/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        if (budget is not null)
        {
            // The shell enters the budget and becomes the node, so the runtime sizes its thread pool
            // and GC heaps for the budget it really has.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("echo $$ > \"$0\" && exec \"$@\"");
            start.ArgumentList.Add(budget.ProcessesFile);
        }

        if (cpuList is not null)
        {
            // taskset sets the affinity and execs, so the pid stays the server's own.
            if (budget is null)
            {
                start.FileName = "/usr/bin/taskset";
            }
            else
            {
                start.ArgumentList.Add("/usr/bin/taskset");
            }

            start.ArgumentList.Add("--cpu-list");
            start.ArgumentList.Add(cpuList);
            start.ArgumentList.Add("dotnet");
        }
        else if (budget is not null)
        {
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url.ToString());
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        // REALTIME_BENCH_SERVER_LOG=path: every server's output, appended there, for a run that goes wrong.
        var log = Environment.GetEnvironmentVariable("REALTIME_BENCH_SERVER_LOG") is { Length: > 0 } path ? TextWriter.Synchronized(File.AppendText(path)) : null;
        process.OutputDataReceived += (_, line) => log?.WriteLine($"{process.Id}: {line.Data}");
        process.ErrorDataReceived += (_, line) => log?.WriteLine($"{process.Id}: {line.Data}");
        process.Exited += (_, _) => log?.Flush();
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(process, url, budget);
        try
        {
            using var http = new HttpClient { BaseAddress = url };
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    if ((await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode)
                    {
                        return server;
                    }
                }
                catch (HttpRequestException) when (attempt < 300 && !process.HasExited)
                {
                    // Still starting.
                }

                await Task.Delay(100);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The server's resident memory, from /proc (Linux).</summary>
    public long? ResidentBytes()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Time the server's JIT has spent compiling so far, from its own runtime metrics.</summary>
    public async Task<double> JitSecondsAsync()
    {
        const string Counter = "dotnet_jit_compilation_time_seconds_total";
        using var http = new HttpClient { BaseAddress = Url };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(Counter, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The node's /metrics has no {Counter}.");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>A counter of the server's /metrics, summed over its series (those whose labels hold <paramref name="label"/>, when given); 0 when absent.</summary>
    public async Task<long> CounterAsync(string name, string? label = null)
    {
        using var http = new HttpClient { BaseAddress = Url };
        var lines = (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
        return lines
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
            .Where(line => label is null || line.Contains($"\"{label}\"", StringComparison.Ordinal))
            .Sum(line => (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>CPU time the server has used so far, user and kernel (utime and stime of /proc/&lt;pid&gt;/stat on Linux).</summary>
    public TimeSpan ProcessorTime() => CpuTimes().Total;

    /// <summary>The CPU time used so far, and the part of it spent in the kernel (socket sends and receives, scheduling), read together.</summary>
    public (TimeSpan Total, TimeSpan Kernel) CpuTimes()
    {
        _process.Refresh();
        return (_process.TotalProcessorTime, _process.PrivilegedProcessorTime);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _budget?.Dispose();
    }

    /// <summary>The build output of a project of the solution, in the configuration and framework the benchmark runs as.</summary>
    private static string FindBuiltDll(string project, string name)
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var directory = framework; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Realtime.sln")))
            {
                var dll = Path.Combine(directory.FullName, project, "bin", framework.Parent!.Name, framework.Name, name);
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll}");
            }
        }

        throw new InvalidOperationException("Realtime.sln not found above the benchmark.");
    }
}
