using Realtime.Server.Presence;

namespace Realtime.Server.Connections;

/// <summary>
/// Counts the live connections of each user, on one node or across the cluster, and reports the
/// transitions: online at a user's first connection, offline at the last.
/// </summary>
public interface IPresenceTracker : IOnlineUsers
{
    /// <returns>True when this connection brought the user online.</returns>
    Task<bool> ConnectionOpenedAsync(string userId, string connectionId);

    /// <returns>True when this connection was the user's last.</returns>
    Task<bool> ConnectionClosedAsync(string userId, string connectionId);

    Task<IReadOnlyList<string>> GetConnectionIdsAsync(string userId);
}
