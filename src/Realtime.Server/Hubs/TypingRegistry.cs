namespace Realtime.Server.Hubs;

/// <summary>
/// Which of this node's connections said a user is typing in a conversation, so the server can send
/// <c>isTyping=false</c> itself when the user sends or the last typing connection goes away.
/// </summary>
public sealed class TypingRegistry
{
    private readonly Dictionary<(string ConversationId, string UserId), HashSet<string>> _typing = [];
    private readonly Lock _gate = new();

    public void Started(string conversationId, string userId, string connectionId)
    {
        lock (_gate)
        {
            if (!_typing.TryGetValue((conversationId, userId), out var connections))
            {
                _typing[(conversationId, userId)] = connections = new HashSet<string>(StringComparer.Ordinal);
            }

            connections.Add(connectionId);
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
            foreach (var ((conversationId, typingUser), connections) in _typing)
            {
                if (typingUser == userId && connections.Remove(connectionId) && connections.Count == 0)
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
}
