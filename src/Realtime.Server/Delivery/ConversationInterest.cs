namespace Realtime.Server.Delivery;

/// <summary>
/// Which conversations this node has members of, as it changes: what a node needs to hear about from
/// the others. Raised on the first member here and on the last one leaving; handlers must be quick.
/// </summary>
public sealed class ConversationInterest
{
    public event Action<string>? Gained;

    public event Action<string>? Lost;

    public void RaiseGained(string conversationId) => Gained?.Invoke(conversationId);

    public void RaiseLost(string conversationId) => Lost?.Invoke(conversationId);
}
