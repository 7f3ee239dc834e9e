using System.Diagnostics;

namespace Realtime.Tests.Infrastructure;

/// <summary>
/// deploy/local/topology.sh on free loopback ports: nginx in front of three node processes, Redis and
/// PostgreSQL, with its fault drills (kill-node, stop-redis, ...).
/// </summary>
public sealed class LocalTopology : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;

    private LocalTopology(Dictionary<string, string> environment, int port)
    {
        _environment = environment;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Url { get; }

    public static async Task<LocalTopology> StartAsync()
    {
        var port = ExternalProcess.FreePort();
        var topology = new LocalTopology(
            new Dictionary<string, string>
            {
                ["REALTIME_LOCAL_STATE"] = Directory.CreateTempSubdirectory("realtime-topology-").FullName,
                ["REALTIME_LB_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["REALTIME_NODE_PORTS"] = string.Join(' ', Enumerable.Range(0, 3).Select(_ => ExternalProcess.FreePort())),
                ["REALTIME_REDIS_PORT"] = ExternalProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["REALTIME_PG_PORT"] = ExternalProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            port);
        await topology.RunAsync("start", "--no-build");
        return topology;
    }

    public async Task RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Samples.RepositoryRoot, "deploy", "local", "topology.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"topology.sh {string.Join(' ', arguments)} failed: {text}");
        }
    }

    /// <summary>Stops every node gracefully (SIGTERM, as a deployment does), then starts them all again.</summary>
    public async Task RestartNodesAsync()
    {
        await Task.WhenAll(Enumerable.Range(1, 3).Select(i => RunAsync("stop-node", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        await Task.WhenAll(Enumerable.Range(1, 3).Select(i => RunAsync("start-node", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("stop");
        Directory.Delete(_environment["REALTIME_LOCAL_STATE"], recursive: true);
    }
}
