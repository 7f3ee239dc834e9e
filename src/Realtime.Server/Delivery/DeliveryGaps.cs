namespace Realtime.Server.Delivery;

/// <summary>How long a gap waits for its items before they are read back, and the widest gap read back.</summary>
public sealed record DeliveryOrderOptions(TimeSpan GapWait, int MaxGapFill);

/// <summary>A gap to read back: the positions after <see cref="After"/> up to and including <see cref="UpTo"/>.</summary>
public sealed class GapRead
{
    internal GapRead(object owner, string conversationId, long after, long upTo)
    {
        Owner = owner;
        ConversationId = conversationId;
        After = after;
        UpTo = upTo;
    }

    internal object Owner { get; }

    public string ConversationId { get; }

    public long After { get; }

    public long UpTo { get; }
}

/// <summary>A gap given up on: its members' clients catch up with their resync.</summary>
public readonly record struct GapPassedOver(string ConversationId, long After, long UpTo);
