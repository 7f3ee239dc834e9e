namespace Realtime.Server.Presence;

/// <summary>The single-node tracker: right as long as every connection lands on this process.</summary>
public sealed class InMemoryPresenceTracker : IPresenceTracker
{
    private readonly Dictionary<string, HashSet<string>> _connectionsByUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task<bool> ConnectionOpenedAsync(string userId, string connectionId)
    {
        lock (_gate)
        {
            if (!_connectionsByUser.TryGetValue(userId, out var connections))
            {
                connections = new HashSet<string>(StringComparer.Ordinal);
                _connectionsByUser[userId] = connections;
            }

            var wasOffline = connections.Count == 0;
            connections.Add(connectionId);
            return Task.FromResult(wasOffline);
        }
    }

    public Task<bool> ConnectionClosedAsync(string userId, string connectionId)
    {
        lock (_gate)
        {
            if (!_connectionsByUser.TryGetValue(userId, out var connections) || !connections.Remove(connectionId))
            {
                return Task.FromResult(false);
            }

            if (connections.Count > 0)
            {
                return Task.FromResult(false);
            }

            _connectionsByUser.Remove(userId);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<string>> GetConnectionIdsAsync(string userId)
    {
        lock (_gate)
        {
            IReadOnlyList<string> ids = _connectionsByUser.TryGetValue(userId, out var connections) ? [.. connections] : [];
            return Task.FromResult(ids);
        }
    }

    public Task<IReadOnlySet<string>> GetOnlineUsersAsync(IReadOnlyCollection<string> userIds)
    {
        lock (_gate)
        {
            IReadOnlySet<string> online = userIds.Where(_connectionsByUser.ContainsKey).ToHashSet(StringComparer.Ordinal);
            return Task.FromResult(online);
        }
    }
}
