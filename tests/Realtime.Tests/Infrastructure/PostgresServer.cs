using Npgsql;

namespace Realtime.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server in a temporary folder on a free loopback port (initdb + pg_ctl, as the
/// postgres user when the tests run as root). It can be stopped and started again to test outages.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string User = "postgres";
    private readonly string _directory;
    private readonly string _pgCtl;

    private PostgresServer(string directory, string pgCtl, int port)
    {
        _directory = directory;
        _pgCtl = pgCtl;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PostgresServer> StartAsync()
    {
        // Debian keeps the server programs off PATH, in one folder per major version.
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")).ToList()
            : [];
        var initdb = ExternalProcess.FindProgram("initdb", versions);
        var pgCtl = ExternalProcess.FindProgram("pg_ctl", versions);
        var directory = Directory.CreateTempSubdirectory("realtime-pg-").FullName;
        if (ExternalProcess.RunningAsRoot)
        {
            await ExternalProcess.RunAsync("chown", ["-R", $"{User}:", directory]);
        }

        var server = new PostgresServer(directory, pgCtl, ExternalProcess.FreePort());
        await ExternalProcess.RunAsync(initdb, ["-D", server.DataDirectory, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync"], User);
        await server.StartAgainAsync();
        return server;
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = User,
            Database = database,
            Timeout = 5,
            CommandTimeout = 10,
        }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public Task StartAgainAsync() => ExternalProcess.RunAsync(
        _pgCtl,
        ["-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "30",
         "-o", $"-p {Port} -h 127.0.0.1 -k {_directory} -c fsync=off -c max_connections=200", "start"],
        User);

    public Task StopAsync() => ExternalProcess.RunAsync(_pgCtl, ["-D", DataDirectory, "-m", "fast", "-w", "stop"], User);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExternalProcess.RunAsync(_pgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], User);
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test that owned it.
        }

        NpgsqlConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>One PostgreSQL server for every test in the <see cref="PostgresTests"/>.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL has not started.");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresTests : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
