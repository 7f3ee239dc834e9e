using Realtime.Server.Connections;
using Realtime.Server.Hubs;

namespace Realtime.Server.Admin;

/// <summary>Closes every connection of a user, on every node.</summary>
public interface IUserDisconnect
{
    /// <returns>How many connections this node closed; other nodes close theirs on their own.</returns>
    Task<int> DisconnectAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>
/// Closes a user's connections on this node. The connection ends as a dropped transport would, so the
/// usual disconnect runs (presence, groups, typing) and a client with a valid token may connect again;
/// keeping someone out is the token issuer's job.
/// </summary>
public sealed partial class LocalUserDisconnect(LocalConnectionRegistry connections, LocalConversationGroups groups, ILogger<LocalUserDisconnect> logger) : IUserDisconnect
{
    public int DisconnectHere(string userId)
    {
        var closed = connections.ConnectionsOf(userId).Count(groups.Abort);
        if (closed > 0)
        {
            LogClosed(logger, userId, closed);
        }

        return closed;
    }

    public Task<int> DisconnectAsync(string userId, CancellationToken cancellationToken) => Task.FromResult(DisconnectHere(userId));

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} connections of user {UserId} on an administrator's request")]
    private static partial void LogClosed(ILogger logger, string userId, int count);
}
