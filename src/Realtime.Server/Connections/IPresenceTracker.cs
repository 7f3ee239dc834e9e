using Realtime.Server.Presence;

namespace Realtime.Server.Connections;

/// <summary>
/// Counts the live connections of each user, on one node or across the cluster, and reports the
/// transitions: online at a user's first connection, offline at the last.
/// </summary>
public interface IPresenceTracker : IOnlineUsers
{
    /// <summary>
    /// Registers the connection unless the user already holds <paramref name="limit"/> live connections: the
    /// check and the registration are one step, so concurrent connects of one user cannot pass it together.
    /// </summary>
    Task<ConnectionOpened> ConnectionOpenedAsync(string userId, string connectionId, int limit);

    /// <returns>True when this connection was the user's last.</returns>
    Task<bool> ConnectionClosedAsync(string userId, string connectionId);

    Task<IReadOnlyList<string>> GetConnectionIdsAsync(string userId);
}

public enum ConnectionOpened
{
    /// <summary>Not registered: the user holds the most connections allowed.</summary>
    AtLimit,

    /// <summary>Registered beside the user's other connections.</summary>
    AlreadyOnline,

    /// <summary>Registered as the user's only connection: the user came online.</summary>
    CameOnline,
}
