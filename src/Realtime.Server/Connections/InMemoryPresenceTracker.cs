namespace Realtime.Server.Connections;

/// <summary>The single-node tracker: right as long as every connection lands on this process.</summary>
public sealed class InMemoryPresenceTracker(LocalConnectionRegistry connections) : IPresenceTracker
{
    public Task<ConnectionOpened> ConnectionOpenedAsync(string userId, string connectionId, int limit) =>
        Task.FromResult(connections.TryAdd(userId, connectionId, limit));

    public Task<bool> ConnectionClosedAsync(string userId, string connectionId) =>
        Task.FromResult(connections.Remove(userId, connectionId));

    public Task<IReadOnlyList<string>> GetConnectionIdsAsync(string userId) =>
        Task.FromResult(connections.ConnectionsOf(userId));

    public Task<IReadOnlySet<string>> GetOnlineUsersAsync(IReadOnlyCollection<string> userIds) =>
        Task.FromResult<IReadOnlySet<string>>(userIds.Where(connections.IsConnected).ToHashSet(StringComparer.Ordinal));
}
