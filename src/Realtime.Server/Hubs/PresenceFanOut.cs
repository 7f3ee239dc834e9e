using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Realtime.Contracts;
using Realtime.Server.Delivery;

namespace Realtime.Server.Hubs;

/// <summary>Carries a presence change to every node, where it reaches that node's connections in the user's conversations.</summary>
public interface IPresenceBroadcast
{
    Task PublishAsync(ConversationPresence change);
}

/// <summary>
/// Writes a presence change to this node's connections that share one of the user's conversations, each
/// once however many of them it shares, the user's own excepted, serialized once per protocol. The
/// audience comes from the conversation groups this node already keeps, so a transition reads nothing from
/// the database; <c>Clients.Users</c> on SignalR's in-memory manager scanned every connection of the node
/// for every user of the audience, most of the CPU of a connect storm in conversations of 100.
/// </summary>
public sealed class LocalPresenceFanOut(LocalConversationGroups groups)
{
    public async Task WriteAsync(ConversationPresence change)
    {
        var audience = groups.AudienceOf(change.ConversationIds, change.Presence.UserId);
        if (audience.Count == 0)
        {
            return;
        }

        var message = new SerializedHubMessage(new InvocationMessage(nameof(IChatClient.PresenceChanged), [change.Presence]));
        foreach (var connection in audience)
        {
            await connection.WriteAsync(message);
        }
    }
}

internal sealed class LocalPresenceBroadcast(LocalPresenceFanOut fanOut) : IPresenceBroadcast
{
    public Task PublishAsync(ConversationPresence change) => fanOut.WriteAsync(change);
}
