using Microsoft.Extensions.Options;
using Realtime.Server.ScaleOut;
using StackExchange.Redis;
using Realtime.Server.Connections;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// Cluster-wide presence in Redis. Each user has a hash of connection id → node id; a connection
/// counts only while its node's heartbeat key lives, so a node that dies without a goodbye stops
/// counting once its key expires, and <see cref="SweepDeadNodesAsync"/> announces who went offline.
/// Every operation is one Lua script: one round trip, atomic across nodes.
/// </summary>
public sealed partial class RedisPresenceTracker(
    IConnectionMultiplexer redis,
    LocalConnectionRegistry local,
    NodeIdentity node,
    IOptions<RedisOptions> options,
    ILogger<RedisPresenceTracker> logger) : IPresenceTracker
{
    private const string LiveCount = """
        local function live(entries, nodePrefix)
          local count = 0
          for i = 2, #entries, 2 do
            if redis.call('EXISTS', nodePrefix .. entries[i]) == 1 then count = count + 1 end
          end
          return count
        end
        """;

    // KEYS: user hash, node's user set. ARGV: connection, node, node key prefix, user, limit.
    // Returns live connections before, or -1 (nothing written) when they are at the limit already.
    private const string OpenScript = LiveCount + """

        local before = live(redis.call('HGETALL', KEYS[1]), ARGV[3])
        if before >= tonumber(ARGV[5]) then return -1 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[4])
        return before
        """;

    // KEYS: user hash, node's user set. ARGV: connection, node, node key prefix, user. Returns 1 when the user is now offline.
    private const string CloseScript = LiveCount + """

        if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
        local entries = redis.call('HGETALL', KEYS[1])
        local ownLeft = 0
        for i = 2, #entries, 2 do
          if entries[i] == ARGV[2] then ownLeft = ownLeft + 1 end
        end
        if ownLeft == 0 then redis.call('SREM', KEYS[2], ARGV[4]) end
        if live(entries, ARGV[3]) == 0 then return 1 end
        return 0
        """;

    // KEYS: user hashes. ARGV: node key prefix. Returns 1/0 per user.
    private const string OnlineScript = """
        local result = {}
        for k = 1, #KEYS do
          result[k] = 0
          for _, owner in ipairs(redis.call('HVALS', KEYS[k])) do
            if redis.call('EXISTS', ARGV[1] .. owner) == 1 then result[k] = 1 break end
          end
        end
        return result
        """;

    // KEYS: user hash. ARGV: node key prefix. Returns the live connection ids.
    private const string ConnectionsScript = """
        local result = {}
        local entries = redis.call('HGETALL', KEYS[1])
        for i = 1, #entries, 2 do
          if redis.call('EXISTS', ARGV[1] .. entries[i + 1]) == 1 then table.insert(result, entries[i]) end
        end
        return result
        """;

    // KEYS: dead node's user set, node set. ARGV: dead node, node key prefix, user key prefix.
    // Removes the dead node's connections and returns the users left with none. Only one caller wins.
    private const string SweepScript = LiveCount + """

        if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return {} end
        if redis.call('EXISTS', ARGV[2] .. ARGV[1]) == 1 then return {} end
        local offline = {}
        for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          local key = ARGV[3] .. user
          local entries = redis.call('HGETALL', key)
          for i = 1, #entries, 2 do
            if entries[i + 1] == ARGV[1] then redis.call('HDEL', key, entries[i]) end
          end
          if live(redis.call('HGETALL', key), ARGV[2]) == 0 then table.insert(offline, user) end
        end
        redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[2], ARGV[1])
        return offline
        """;

    private readonly string _prefix = options.Value.ChannelPrefix + ":presence:";
    private readonly TimeSpan _nodeTimeout = options.Value.PresenceNodeTimeout;
    private volatile bool _needsReassert;

    private string NodeKeyPrefix => _prefix + "node:";

    private RedisKey NodeKey(string nodeId) => NodeKeyPrefix + nodeId;

    private RedisKey NodeUsersKey(string nodeId) => _prefix + "nodeusers:" + nodeId;

    private RedisKey UserKey(string userId) => _prefix + "user:" + userId;

    private RedisKey NodesKey => _prefix + "nodes";

    private IDatabase Db => redis.GetDatabase();

    public async Task<ConnectionOpened> ConnectionOpenedAsync(string userId, string connectionId, int limit)
    {
        try
        {
            var before = (long)await Db.ScriptEvaluateAsync(
                OpenScript, [UserKey(userId), NodeUsersKey(node.NodeId)], [connectionId, node.NodeId, NodeKeyPrefix, userId, limit]);
            if (before < 0)
            {
                return ConnectionOpened.AtLimit;
            }

            // After Redis, so a heartbeat's write-back never restores a connection the limit refused.
            local.Add(userId, connectionId);
            return before == 0 ? ConnectionOpened.CameOnline : ConnectionOpened.AlreadyOnline;
        }
        catch (RedisException exception)
        {
            // The local registry is the source of truth; the next heartbeat writes it back to Redis.
            _needsReassert = true;
            LogRedisFailed(logger, "connection opened", exception);
            return local.TryAdd(userId, connectionId, limit);
        }
    }

    public async Task<bool> ConnectionClosedAsync(string userId, string connectionId)
    {
        var lastOnThisNode = local.Remove(userId, connectionId);
        try
        {
            var offline = (long)await Db.ScriptEvaluateAsync(
                CloseScript, [UserKey(userId), NodeUsersKey(node.NodeId)], [connectionId, node.NodeId, NodeKeyPrefix, userId]);
            return offline == 1;
        }
        catch (RedisException exception)
        {
            _needsReassert = true;
            LogRedisFailed(logger, "connection closed", exception);
            return lastOnThisNode;
        }
    }

    public async Task<IReadOnlyList<string>> GetConnectionIdsAsync(string userId)
    {
        try
        {
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(ConnectionsScript, [UserKey(userId)], [NodeKeyPrefix]))!;
            return result.Select(r => (string)r!).ToList();
        }
        catch (RedisException exception)
        {
            LogRedisFailed(logger, "connection lookup", exception);
            return local.ConnectionsOf(userId);
        }
    }

    public async Task<IReadOnlySet<string>> GetOnlineUsersAsync(IReadOnlyCollection<string> userIds)
    {
        if (userIds.Count == 0)
        {
            return new HashSet<string>();
        }

        var users = userIds.ToList();
        try
        {
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(OnlineScript, users.Select(UserKey).ToArray(), [NodeKeyPrefix]))!;
            return users.Where((_, i) => (long)result[i] == 1).ToHashSet(StringComparer.Ordinal);
        }
        catch (RedisException exception)
        {
            // What this node knows: its own users are online; of the others it cannot say until Redis returns.
            LogRedisFailed(logger, "presence query", exception);
            return users.Where(local.IsConnected).ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>Makes the next heartbeat write every local connection back, whether or not the node key survived.</summary>
    public void RequestReassert() => _needsReassert = true;

    /// <summary>Keeps this node's heartbeat alive; after an outage long enough to lose it, writes this node's connections back.</summary>
    public async Task HeartbeatAsync()
    {
        var db = Db;
        var stillAlive = await db.KeyExpireAsync(NodeKey(node.NodeId), _nodeTimeout);
        if (stillAlive && !_needsReassert)
        {
            return;
        }

        _needsReassert = false;
        await db.StringSetAsync(NodeKey(node.NodeId), "1", _nodeTimeout);
        await db.SetAddAsync(NodesKey, node.NodeId);
        var batch = db.CreateBatch();
        var writes = new List<Task>();
        foreach (var (userId, connectionIds) in local.Snapshot())
        {
            writes.Add(batch.HashSetAsync(UserKey(userId), connectionIds.Select(id => new HashEntry(id, node.NodeId)).ToArray()));
            writes.Add(batch.SetAddAsync(NodeUsersKey(node.NodeId), userId));
        }

        batch.Execute();
        await Task.WhenAll(writes);
        LogRegistered(logger, node.NodeId, writes.Count / 2);
    }

    /// <summary>Clears the connections of nodes whose heartbeat expired and returns the users that left with them.</summary>
    public async Task<IReadOnlyList<string>> SweepDeadNodesAsync()
    {
        var db = Db;
        List<string> offline = [];
        foreach (var member in await db.SetMembersAsync(NodesKey))
        {
            var nodeId = (string)member!;
            if (nodeId == node.NodeId || await db.KeyExistsAsync(NodeKey(nodeId)))
            {
                continue;
            }

            var result = (RedisResult[])(await db.ScriptEvaluateAsync(
                SweepScript, [NodeUsersKey(nodeId), NodesKey], [nodeId, NodeKeyPrefix, _prefix + "user:"]))!;
            LogNodeSwept(logger, nodeId, result.Length);
            offline.AddRange(result.Select(r => (string)r!));
        }

        return offline;
    }

    /// <summary>Says goodbye on a graceful stop, so other nodes need not wait for the heartbeat to expire.</summary>
    public async Task LeaveAsync() => await Db.KeyDeleteAsync(NodeKey(node.NodeId));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis presence update failed ({Operation}); will re-register this node's connections")]
    private static partial void LogRedisFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} registered with {Users} connected users")]
    private static partial void LogRegistered(ILogger logger, string nodeId, int users);

    [LoggerMessage(Level = LogLevel.Information, Message = "Swept dead node {NodeId}; {Users} users went offline with it")]
    private static partial void LogNodeSwept(ILogger logger, string nodeId, int users);
}
