using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Server.Delivery;

namespace Realtime.Server.Hubs;

/// <summary>Carries a presence change to every node, where it reaches that node's connections in the user's conversations.</summary>
public interface IPresenceBroadcast
{
    Task PublishAsync(ConversationPresence change);
}

/// <summary>
/// Writes presence changes to this node's connections that share one of the user's conversations, each
/// once however many of them it shares, the user's own excepted. Changes are gathered for
/// <see cref="ChatOptions.PresenceFanOutWindow"/> and each connection gets the ones it should see in one
/// write, in the order they happened, each change serialized once per protocol. The audience comes from the
/// conversation groups this node already keeps, so a transition reads nothing from the database.
/// </summary>
public sealed partial class LocalPresenceFanOut(LocalConversationGroups groups, IOptions<ChatOptions> options, TimeProvider clock, ILogger<LocalPresenceFanOut> logger)
{
    private readonly Lock _gate = new();
    private List<ConversationPresence> _pending = [];
    private bool _flushing;

    public Task WriteAsync(ConversationPresence change)
    {
        var window = options.Value.PresenceFanOutWindow;
        if (window <= TimeSpan.Zero)
        {
            return WriteNowAsync([change]);
        }

        lock (_gate)
        {
            _pending.Add(change);
            if (_flushing)
            {
                return Task.CompletedTask;
            }

            _flushing = true;
        }

        _ = FlushAsync(window);
        return Task.CompletedTask;
    }

    // One flush at a time, so that a connection's presence writes never overtake each other.
    private async Task FlushAsync(TimeSpan window)
    {
        while (true)
        {
            await Task.Delay(window, clock);
            List<ConversationPresence> changes;
            lock (_gate)
            {
                changes = _pending;
                _pending = [];
            }

            try
            {
                await WriteNowAsync(changes);
            }
            catch (Exception exception)
            {
                LogFanOutFailed(logger, exception, changes.Count);
            }

            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }
            }
        }
    }

    private Task WriteNowAsync(List<ConversationPresence> changes)
    {
        // Each connection with the changes it should see, in order.
        var seen = new Dictionary<LocalConnection, List<int>>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < changes.Count; i++)
        {
            foreach (var connection in groups.AudienceOf(changes[i].ConversationIds, changes[i].Presence.UserId))
            {
                if (!seen.TryGetValue(connection, out var indexes))
                {
                    seen[connection] = indexes = [];
                }

                indexes.Add(i);
            }
        }

        if (seen.Count == 0)
        {
            return Task.CompletedTask;
        }

        var frames = new PresenceFrames(changes);
        var writes = new List<Task>(seen.Count);
        foreach (var (connection, indexes) in seen)
        {
            var context = connection.Context;
            writes.Add(indexes.Count == 1 ? context.WriteAsync(frames.Message(indexes[0])).AsTask()
                : connection.UsesStatefulReconnect ? WriteEachAsync(context, indexes, frames)
                : context.WriteAsync(DeliveryWrite.Serialized(context.Protocol, frames.Joined(context.Protocol, indexes))).AsTask());
        }

        return Task.WhenAll(writes);
    }

    // Stateful reconnect numbers each write as one message: such a connection gets a write per change.
    private static async Task WriteEachAsync(HubConnectionContext connection, List<int> indexes, PresenceFrames frames)
    {
        foreach (var index in indexes)
        {
            await connection.WriteAsync(frames.Message(index));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} presence changes to this node's connections failed")]
    private static partial void LogFanOutFailed(ILogger logger, Exception exception, int count);

    /// <summary>Each change as a <c>PresenceChanged</c> invocation, serialized once per protocol when first needed.</summary>
    private sealed class PresenceFrames(List<ConversationPresence> changes)
    {
        private readonly SerializedHubMessage?[] _messages = new SerializedHubMessage?[changes.Count];

        public SerializedHubMessage Message(int index) =>
            _messages[index] ??= new SerializedHubMessage(new InvocationMessage(nameof(IChatClient.PresenceChanged), [changes[index].Presence]));

        public ReadOnlyMemory<byte> Joined(IHubProtocol protocol, List<int> indexes) =>
            BatchFrames.Join(indexes, (Frames: this, Protocol: protocol), static (state, index) => state.Frames.Message(index).GetSerializedMessage(state.Protocol));
    }
}

internal sealed class LocalPresenceBroadcast(LocalPresenceFanOut fanOut) : IPresenceBroadcast
{
    public Task PublishAsync(ConversationPresence change) => fanOut.WriteAsync(change);
}
