using System.Text.Json;
using Microsoft.Extensions.Options;
using Realtime.Server.Admin;
using Realtime.Server.Errors;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// Every node writes its figures under a key of its own that expires, and adds its id to one set; a
/// reader takes the set and the keys in two round trips and drops the ids whose key has expired, so a
/// node that died without a goodbye leaves the list within <see cref="AdminOptions.StatsTimeToLive"/>.
/// A set rather than a key scan: a shared Redis may hold millions of keys.
/// </summary>
internal sealed partial class RedisNodeStats(
    IConnectionMultiplexer redis,
    LocalNodeStats local,
    IOptions<RedisOptions> redisOptions,
    IOptions<AdminOptions> options,
    ILogger<RedisNodeStats> logger) : BackgroundService, IClusterStats
{
    private readonly string _prefix = redisOptions.Value.ChannelPrefix + ":admin:";

    private RedisKey Index => _prefix + "nodes";

    private RedisKey KeyOf(string nodeId) => _prefix + "node:" + nodeId;

    public async Task<IReadOnlyList<NodeStats>> ReadNodesAsync(CancellationToken cancellationToken)
    {
        // The answering node's own figures are live, not as of its last report.
        var own = local.Snapshot();
        var nodes = new List<NodeStats> { own };
        try
        {
            var database = redis.GetDatabase();
            var ids = (await database.SetMembersAsync(Index)).Select(id => id.ToString()).Where(id => id != own.NodeId).ToList();
            var values = ids.Count == 0 ? [] : await database.StringGetAsync(ids.Select(KeyOf).ToArray());
            var expired = new List<RedisValue>();
            for (var i = 0; i < ids.Count; i++)
            {
                if (values[i].IsNull)
                {
                    expired.Add(ids[i]);
                }
                else if (Parse(values[i]) is { } stats)
                {
                    nodes.Add(stats);
                }
            }

            if (expired.Count > 0)
            {
                // A node alive after all adds itself back on its next report.
                await database.SetRemoveAsync(Index, [.. expired], CommandFlags.FireAndForget);
            }
        }
        catch (RedisException exception)
        {
            LogReadFailed(logger, exception);
            throw ChatException.Unavailable("Redis does not answer, so the other nodes' figures are unknown; try again.");
        }

        return nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal).ToList();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ReportAsync();
        using var timer = new PeriodicTimer(options.Value.StatsInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await ReportAsync();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // A graceful stop leaves the list at once rather than when the key expires.
            var database = redis.GetDatabase();
            await Task.WhenAll(database.KeyDeleteAsync(KeyOf(local.NodeId)), database.SetRemoveAsync(Index, local.NodeId));
        }
        catch (RedisException exception)
        {
            LogReportFailed(logger, exception);
        }
    }

    private async Task ReportAsync()
    {
        try
        {
            var stats = local.Snapshot();
            var database = redis.GetDatabase();
            var json = JsonSerializer.Serialize(stats, JsonSerializerOptions.Web);
            await Task.WhenAll(
                database.StringSetAsync(KeyOf(stats.NodeId), json, options.Value.StatsTimeToLive),
                database.SetAddAsync(Index, stats.NodeId));
        }
        catch (RedisException exception)
        {
            // Redis is away; the next tick reports again, and meanwhile this node drops out of other nodes' lists.
            LogReportFailed(logger, exception);
        }
    }

    private NodeStats? Parse(RedisValue value)
    {
        try
        {
            return JsonSerializer.Deserialize<NodeStats>(value.ToString(), JsonSerializerOptions.Web);
        }
        catch (JsonException exception)
        {
            // A node of another version may write a shape this one cannot read; list the others.
            LogUnreadable(logger, exception);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting this node's figures to Redis failed; retrying on the next interval")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the nodes' figures from Redis failed")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A node's figures in Redis could not be read and were left out")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
