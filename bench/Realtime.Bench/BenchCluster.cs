using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace Realtime.Bench;

/// <summary>
/// N Realtime nodes on one database (a fresh SQLite file, or a fresh database on the PostgreSQL
/// server given); with more than one node (or when asked), also a redis-server on a free loopback port
/// as their backplane. The processes, the SQLite file and the PostgreSQL database go on dispose.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("realtime-bench-").FullName;
    private readonly List<ServerProcess> _nodes = [];
    private Process? _redis;
    private (string Server, string Database)? _postgres;

    public IReadOnlyList<ServerProcess> Nodes => _nodes;

    /// <param name="settings">Settings for every node over the benchmark's own.</param>
    /// <param name="plain">The nodes are the plain SignalR hub on SignalR's Redis backplane instead (no database).</param>
    public static async Task<BenchCluster> StartAsync(int nodes, string? postgres = null, double? coresPerNode = null, bool backplane = false, CorePinning? pinning = null, IReadOnlyDictionary<string, string>? settings = null, bool plain = false)
    {
        var cluster = new BenchCluster();
        try
        {
            string? redis = null;
            if (nodes > 1 || backplane)
            {
                redis = await cluster.StartRedisAsync();
            }

            var database = $"realtime_bench_{Guid.NewGuid():N}";
            var (provider, connectionString) = postgres is null
                ? ("Sqlite", $"Data Source={Path.Combine(cluster._directory, "chat.db")}")
                : ("PostgreSql", $"{postgres};Database={database}");
            if (postgres is not null)
            {
                cluster._postgres = (postgres, database);
            }

            // One after the other: the first creates the database and applies the migrations.
            for (var i = 0; i < nodes; i++)
            {
                cluster._nodes.Add(plain
                    ? await ServerProcess.StartPlainSignalRAsync(pinning?.ServerCores(i), coresPerNode, redis)
                    : await ServerProcess.StartAsync(provider, connectionString, redis, coresPerNode, pinning?.ServerCores(i), settings));
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task<string> StartRedisAsync()
    {
        var port = ServerProcess.FreePort();
        var start = new ProcessStartInfo(File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _redis = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _redis.OutputDataReceived += (_, _) => { };
        _redis.ErrorDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();
        _redis.BeginErrorReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return $"127.0.0.1:{port}";
            }
            catch (SocketException) when (attempt < 100 && !_redis.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (_redis is { HasExited: false })
        {
            _redis.Kill(entireProcessTree: true);
            await _redis.WaitForExitAsync();
        }

        _redis?.Dispose();
        Directory.Delete(_directory, recursive: true);
        if (_postgres is var (server, database))
        {
            // The server is the operator's: leave it as it was found.
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
