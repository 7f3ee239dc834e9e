using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Realtime.Server.Hubs;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// SignalR's Redis manager, kept from closing connections while Redis is away. A connect and a group
/// join subscribe to Redis channels, and a failed subscribe would close the connection: while Redis is
/// down no client could connect or reconnect to any node. Here the failure is logged and the connection
/// carries on: its messages come through this node's own delivery, which does not need Redis for the
/// members here. SignalR does not make a failed subscription again when Redis returns, so once it is
/// back the connections it concerned (and those that share its user's or its group's subscription) are
/// taken out of SignalR's books and put back in, which subscribes them afresh; the clients notice nothing.
/// Sends still fail while Redis is away; their callers treat delivery as best effort.
/// </summary>
internal sealed partial class RedisOutageTolerantLifetimeManager : DelegatingHubLifetimeManager
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<RedisOutageTolerantLifetimeManager> _logger;
    private readonly ConcurrentDictionary<string, Local> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _brokenGroups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _brokenUsers = new(StringComparer.Ordinal);

    public RedisOutageTolerantLifetimeManager(RedisHubLifetimeManager<ChatHub> inner, IConnectionMultiplexer redis, ILogger<RedisOutageTolerantLifetimeManager> logger)
        : base(inner)
    {
        _redis = redis;
        _logger = logger;
        redis.ConnectionRestored += OnConnectionRestored;
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        var local = _connections[connection.ConnectionId] = new Local(connection);
        try
        {
            await Inner.OnConnectedAsync(connection);
        }
        catch (RedisException exception)
        {
            local.Broken = true;
            _brokenUsers.TryAdd(connection.UserIdentifier ?? "", 0);
            LogSubscribeFailed(_logger, "connect", exception);
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        try
        {
            await Inner.OnDisconnectedAsync(connection);
        }
        catch (RedisException exception)
        {
            LogSubscribeFailed(_logger, "disconnect", exception);
        }
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!_connections.TryGetValue(connectionId, out var local))
        {
            // Another node's connection: SignalR forwards the change to it and waits for its answer.
            await Inner.AddToGroupAsync(connectionId, groupName, cancellationToken);
            return;
        }

        lock (local.Groups)
        {
            local.Groups.Add(groupName);
        }

        try
        {
            await Inner.AddToGroupAsync(connectionId, groupName, cancellationToken);
        }
        catch (RedisException exception)
        {
            _brokenGroups.TryAdd(groupName, 0);
            LogSubscribeFailed(_logger, "group join", exception);
        }
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections.TryGetValue(connectionId, out var local))
        {
            lock (local.Groups)
            {
                local.Groups.Remove(groupName);
            }
        }

        try
        {
            await Inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        }
        catch (RedisException exception) when (local is not null)
        {
            LogSubscribeFailed(_logger, "group leave", exception);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription && !(_brokenGroups.IsEmpty && _brokenUsers.IsEmpty && _connections.Values.All(c => !c.Broken)))
        {
            _ = Task.Run(RepairAsync);
        }
    }

    /// <summary>
    /// Makes SignalR subscribe again for every connection a failed subscribe concerns: those whose own
    /// subscribe failed, and every connection that shares a user's or a group's subscription with
    /// them. All of them leave SignalR's books first, so the shared subscriptions are dropped (the
    /// multiplexer's unread queues with them), then come back in, which subscribes afresh.
    /// </summary>
    private async Task RepairAsync()
    {
        var groups = _brokenGroups.Keys.ToHashSet(StringComparer.Ordinal);
        var users = _brokenUsers.Keys.ToHashSet(StringComparer.Ordinal);
        _brokenGroups.Clear();
        _brokenUsers.Clear();
        var affected = _connections.Values.Where(local =>
        {
            lock (local.Groups)
            {
                return local.Broken || users.Contains(local.Context.UserIdentifier ?? "") || local.Groups.Overlaps(groups);
            }
        }).ToList();

        try
        {
            foreach (var local in affected)
            {
                await Inner.OnDisconnectedAsync(local.Context);
            }

            foreach (var local in affected.Where(local => !local.Context.ConnectionAborted.IsCancellationRequested))
            {
                local.Broken = false;
                await Inner.OnConnectedAsync(local.Context);
                string[] joined;
                lock (local.Groups)
                {
                    joined = [.. local.Groups];
                }

                foreach (var group in joined)
                {
                    await Inner.AddToGroupAsync(local.Context.ConnectionId, group);
                }
            }

            LogRepaired(_logger, affected.Count);
        }
        catch (RedisException exception)
        {
            // Redis went away again: whatever is left is repaired when it returns.
            foreach (var local in affected)
            {
                local.Broken = true;
            }

            LogSubscribeFailed(_logger, "repair", exception);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _redis.ConnectionRestored -= OnConnectionRestored;
        }

        base.Dispose(disposing);
    }

    private sealed class Local(HubConnectionContext context)
    {
        public HubConnectionContext Context { get; } = context;

        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

        public bool Broken { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is away: a {Operation} went ahead without its backplane subscription; it is subscribed again once Redis is back")]
    private static partial void LogSubscribeFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back: subscribed {Count} connections again whose backplane subscriptions failed meanwhile")]
    private static partial void LogRepaired(ILogger logger, int count);
}
