namespace Realtime.Server.Connections;

/// <summary>The connections of each user that live on this node. The truth every tracker starts from.</summary>
public sealed class LocalConnectionRegistry
{
    private readonly Dictionary<string, HashSet<string>> _connectionsByUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _connectionCount;

    /// <returns>True when this is the user's first connection on this node.</returns>
    public bool Add(string userId, string connectionId)
    {
        lock (_gate)
        {
            if (!_connectionsByUser.TryGetValue(userId, out var connections))
            {
                _connectionsByUser[userId] = connections = new HashSet<string>(StringComparer.Ordinal);
            }

            if (connections.Add(connectionId))
            {
                _connectionCount++;
            }

            return connections.Count == 1;
        }
    }

    /// <summary>Adds the connection unless the user holds <paramref name="limit"/> connections on this node.</summary>
    public ConnectionOpened TryAdd(string userId, string connectionId, int limit)
    {
        lock (_gate)
        {
            if (_connectionsByUser.TryGetValue(userId, out var held) && held.Count >= limit)
            {
                return ConnectionOpened.AtLimit;
            }

            return Add(userId, connectionId) ? ConnectionOpened.CameOnline : ConnectionOpened.AlreadyOnline;
        }
    }

    /// <returns>True when this was the user's last connection on this node.</returns>
    public bool Remove(string userId, string connectionId)
    {
        lock (_gate)
        {
            if (!_connectionsByUser.TryGetValue(userId, out var connections) || !connections.Remove(connectionId))
            {
                return false;
            }

            _connectionCount--;

            if (connections.Count > 0)
            {
                return false;
            }

            _connectionsByUser.Remove(userId);
            return true;
        }
    }

    public IReadOnlyList<string> ConnectionsOf(string userId)
    {
        lock (_gate)
        {
            return _connectionsByUser.TryGetValue(userId, out var connections) ? [.. connections] : [];
        }
    }

    public bool IsConnected(string userId)
    {
        lock (_gate)
        {
            return _connectionsByUser.ContainsKey(userId);
        }
    }

    /// <summary>Kept as counts so that reporting them costs nothing however many connections the node holds.</summary>
    public (int Users, int Connections) Counts()
    {
        lock (_gate)
        {
            return (_connectionsByUser.Count, _connectionCount);
        }
    }

    public IReadOnlyList<(string UserId, IReadOnlyList<string> ConnectionIds)> Snapshot()
    {
        lock (_gate)
        {
            return _connectionsByUser.Select(pair => (pair.Key, (IReadOnlyList<string>)[.. pair.Value])).ToList();
        }
    }
}
