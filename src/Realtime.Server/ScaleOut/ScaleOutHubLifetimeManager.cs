using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Realtime.Server.Hubs;

namespace Realtime.Server.ScaleOut;

/// <summary>
/// SignalR's Redis backplane for every send, plus a mirror of this node's own connections and their
/// groups. The mirror lets a batch of messages cross Redis once and then reach each node's members
/// straight from memory, instead of one Redis publish and one receive per message and node.
/// Groups are only ever changed on the node that holds the connection (the hub for its caller,
/// <see cref="LocalMembershipApplier"/> for its own connections), which keeps the mirror exact.
/// </summary>
public sealed class ScaleOutHubLifetimeManager : HubLifetimeManager<ChatHub>, IDisposable
{
    private readonly RedisHubLifetimeManager<ChatHub> _redis;
    private readonly DefaultHubLifetimeManager<ChatHub> _local;
    private readonly ConcurrentDictionary<string, byte> _localConnectionIds = new(StringComparer.Ordinal);

    public ScaleOutHubLifetimeManager(IServiceProvider services)
    {
        _redis = ActivatorUtilities.CreateInstance<RedisHubLifetimeManager<ChatHub>>(services);
        _local = ActivatorUtilities.CreateInstance<DefaultHubLifetimeManager<ChatHub>>(services);
    }

    /// <summary>Sends to the members of a group that are connected to this node only.</summary>
    public Task SendLocalGroupAsync(string groupName, string methodName, object?[] args) =>
        _local.SendGroupAsync(groupName, methodName, args);

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await _redis.OnConnectedAsync(connection);
        _localConnectionIds[connection.ConnectionId] = 0;
        await _local.OnConnectedAsync(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        await _local.OnDisconnectedAsync(connection);
        _localConnectionIds.TryRemove(connection.ConnectionId, out _);
        await _redis.OnDisconnectedAsync(connection);
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!IsLocal(connectionId))
        {
            return;
        }

        await _redis.AddToGroupAsync(connectionId, groupName, cancellationToken);
        await _local.AddToGroupAsync(connectionId, groupName, cancellationToken);
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!IsLocal(connectionId))
        {
            return;
        }

        await _local.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        await _redis.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
    }

    // Groups are only changed on the connection's own node, so a connection not here has just closed:
    // there is nothing to change. (SignalR's Redis manager would instead ask the other nodes and wait
    // for an acknowledgement that never comes.)
    private bool IsLocal(string connectionId) => _localConnectionIds.ContainsKey(connectionId);

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _redis.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _redis.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _redis.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _redis.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _redis.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _redis.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _redis.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _redis.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _redis.SendUsersAsync(userIds, methodName, args, cancellationToken);

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        _redis.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, Microsoft.AspNetCore.SignalR.Protocol.CompletionMessage result) =>
        _redis.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        _redis.TryGetReturnType(invocationId, out type);

    public void Dispose() => _redis.Dispose();
}
