namespace Realtime.Server.Presence;

/// <summary>Who is online, on one node or across the cluster: all that presence needs to know of connections.</summary>
public interface IOnlineUsers
{
    /// <summary>The subset of <paramref name="userIds"/> that is online, in one round trip.</summary>
    Task<IReadOnlySet<string>> GetOnlineUsersAsync(IReadOnlyCollection<string> userIds);
}
