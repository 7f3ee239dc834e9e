using Microsoft.Extensions.Options;

namespace Realtime.Server.Hubs;

/// <summary>
/// Which of this node's connections said a user is typing in a conversation, so the server can send
/// <c>isTyping=false</c> itself when the user sends or the last typing connection goes away, and can
/// pass on at most one <c>isTyping=true</c> per <see cref="ChatOptions.TypingThrottle"/>.
/// </summary>
public sealed class TypingRegistry(IOptions<ChatOptions> options, TimeProvider clock)
{
    private readonly Dictionary<(string ConversationId, string UserId), Typist> _typing = [];
    private readonly Lock _gate = new();

    /// <returns>True when this signal should be passed on to the other members (not throttled).</returns>
    public bool Started(string conversationId, string userId, string connectionId)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (!_typing.TryGetValue((conversationId, userId), out var typist))
            {
                _typing[(conversationId, userId)] = typist = new Typist();
            }

            typist.Connections.Add(connectionId);
            if (typist.LastPassedOn is { } last && now - last < options.Value.TypingThrottle)
            {
                return false;
            }

            typist.LastPassedOn = now;
            return true;
        }
    }

    /// <returns>True when the user was typing there.</returns>
    public bool Stopped(string conversationId, string userId)
    {
        lock (_gate)
        {
            return _typing.Remove((conversationId, userId));
        }
    }

    /// <returns>The conversations where this connection was the user's last typing one.</returns>
    public IReadOnlyList<string> ConnectionClosed(string userId, string connectionId)
    {
        lock (_gate)
        {
            List<string> cleared = [];
            foreach (var ((conversationId, typingUser), typist) in _typing)
            {
                if (typingUser == userId && typist.Connections.Remove(connectionId) && typist.Connections.Count == 0)
                {
                    cleared.Add(conversationId);
                }
            }

            foreach (var conversationId in cleared)
            {
                _typing.Remove((conversationId, userId));
            }

            return cleared;
        }
    }

    private sealed class Typist
    {
        public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset? LastPassedOn { get; set; }
    }
}
