namespace Realtime.Tests.Infrastructure;

/// <summary>Three real server processes behind one real Redis and one real PostgreSQL database.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public PostgresServer Postgres { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public IReadOnlyList<ServerNode> Nodes { get; private set; } = [];

    public ServerNode A => Nodes[0];

    public ServerNode B => Nodes[1];

    public ServerNode C => Nodes[2];

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        Redis = await RedisServer.StartAsync();
        Settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Chat"] = await Postgres.CreateDatabaseAsync("cluster"),
            ["Redis:ConnectionString"] = Redis.ConnectionString,
            ["Redis:ChannelPrefix"] = "cluster-test",
            // Nodes migrate on start; the first does it alone so the others find the schema ready.
            ["Chat:HubCallsPerSecond"] = "1000",
            ["Chat:HubCallBurst"] = "1000",
            // A lost publish is read back from the database sooner than by default.
            ["Chat:DeliveryGapWait"] = "00:00:00.500",
            // Each node reports its admin figures every second, so a test sees another node's change soon.
            ["Admin:StatsInterval"] = "00:00:01",
            ["Admin:StatsTimeToLive"] = "00:00:05",
        };
        var first = await ServerNode.StartAsync("A", Settings);
        var others = await Task.WhenAll(ServerNode.StartAsync("B", Settings), ServerNode.StartAsync("C", Settings));
        Nodes = [first, .. others];
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterTests : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
