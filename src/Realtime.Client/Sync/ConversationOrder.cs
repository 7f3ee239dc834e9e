using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>
/// One conversation's ordering: hands each message on once, in sequence order, from the first
/// sequence after <see cref="DeliveredThrough"/>. Live messages that arrive ahead of a gap are held
/// back until a read from the server fills it. No SignalR, no clock: the caller serializes calls.
/// </summary>
public sealed class ConversationOrder
{
    private readonly SortedDictionary<long, MessageDto> _held = [];

    /// <param name="deliveredThrough">The last sequence the application already holds (0 for none).</param>
    public ConversationOrder(string conversationId, long deliveredThrough)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentOutOfRangeException.ThrowIfNegative(deliveredThrough);
        ConversationId = conversationId;
        DeliveredThrough = deliveredThrough;
    }

    public string ConversationId { get; }

    /// <summary>The last sequence handed on; everything up to it was handed on exactly once.</summary>
    public long DeliveredThrough { get; private set; }

    /// <summary>True while a live message is held back behind a missing one: the caller reads the gap.</summary>
    public bool HasGap => _held.Count > 0;

    /// <summary>The highest sequence seen so far, handed on or held back.</summary>
    public long HighestSeen => _held.Count > 0 ? _held.Keys.Max() : DeliveredThrough;

    public int HeldCount => _held.Count;

    /// <summary>
    /// A message from live delivery (or a send's acknowledgement): handed on if it is the next one,
    /// held back if it is ahead of a gap, dropped if it was handed on already.
    /// </summary>
    public IReadOnlyList<MessageDto> AcceptLive(MessageDto message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Hold(message);
        return Release(coveredThrough: DeliveredThrough);
    }

    /// <summary>
    /// A page read from the server (<c>GetMessages(after)</c> with <c>after</c> at or below
    /// <see cref="DeliveredThrough"/>): it is the whole log up to its last message, so nothing below
    /// that is waited for any longer.
    /// </summary>
    public IReadOnlyList<MessageDto> AcceptRead(IReadOnlyList<MessageDto> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        long covered = DeliveredThrough;
        foreach (var message in page)
        {
            Hold(message);
            covered = Math.Max(covered, message.Sequence);
        }

        return Release(covered);
    }

    private void Hold(MessageDto message)
    {
        // The first copy wins: a live copy and a read copy of one sequence are the same message.
        if (message.ConversationId == ConversationId && message.Sequence > DeliveredThrough)
        {
            _held.TryAdd(message.Sequence, message);
        }
    }

    private List<MessageDto> Release(long coveredThrough)
    {
        var released = new List<MessageDto>();
        while (_held.Count > 0)
        {
            var (sequence, message) = _held.First();
            if (sequence != DeliveredThrough + 1 && sequence > coveredThrough)
            {
                break;
            }

            _held.Remove(sequence);
            DeliveredThrough = sequence;
            released.Add(message);
        }

        return released;
    }
}
