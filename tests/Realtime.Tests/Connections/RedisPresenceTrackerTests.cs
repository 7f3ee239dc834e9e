using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Realtime.Server.Connections;
using Realtime.Server.ScaleOut;
using Realtime.Tests.Infrastructure;
using StackExchange.Redis;

namespace Realtime.Tests.Connections;

/// <summary>The specification against a real redis-server, through the node's own scripts.</summary>
public sealed class RedisPresenceTrackerTests : PresenceTrackerSpecification, IAsyncLifetime
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private RedisPresenceTracker _tracker = null!;

    protected override IPresenceTracker Tracker => _tracker;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var options = Options.Create(new RedisOptions { ConnectionString = _redis.ConnectionString, ChannelPrefix = "tracker-spec" });
        _tracker = new RedisPresenceTracker(_connection, new LocalConnectionRegistry(), new NodeIdentity(), options, NullLogger<RedisPresenceTracker>.Instance);
        // A connection counts while its node's heartbeat key lives.
        await _tracker.HeartbeatAsync();
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
