using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>What the application already holds of a conversation: messages 1..<paramref name="Sequence"/> and every change through <paramref name="Revision"/>.</summary>
public readonly record struct SyncPosition(long Sequence, long Revision)
{
    public static readonly SyncPosition Start = new(0, 0);
}

/// <summary>One change the ordering hands on: a message new to the application, or a new state of one it holds.</summary>
public readonly record struct OrderedChange(MessageDto Message, bool IsNew);

/// <summary>
/// One conversation's ordering over the conversation log (contract v2). Changes are applied in revision
/// order: live ones ahead of a revision gap are held back until a read (<c>GetChanges</c>) fills it. New
/// messages are handed on once each in sequence order, updates of messages already handed on as they
/// come. No SignalR, no clock: the caller serializes calls.
/// </summary>
public sealed class ConversationOrder
{
    // Live changes ahead of a revision gap, by revision.
    private readonly SortedDictionary<long, MessageDto> _ahead = [];

    // Applied messages not yet handed on because an earlier sequence is missing (a read returns messages by
    // revision, so a message edited later comes after newer messages), by sequence.
    private readonly SortedDictionary<long, MessageDto> _unsequenced = [];

    public ConversationOrder(string conversationId, SyncPosition position)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentOutOfRangeException.ThrowIfNegative(position.Sequence);
        ArgumentOutOfRangeException.ThrowIfNegative(position.Revision);
        ConversationId = conversationId;
        Position = position;
    }

    public string ConversationId { get; }

    /// <summary>Messages through its sequence were handed on once each; changes through its revision are accounted for.</summary>
    public SyncPosition Position { get; private set; }

    /// <summary>True while something is held back behind a missing change: the caller reads the gap.</summary>
    public bool HasGap => _ahead.Count > 0 || _unsequenced.Count > 0;

    /// <summary>The highest revision seen so far, applied or held back.</summary>
    public long HighestRevision => _ahead.Count > 0 ? Math.Max(_ahead.Keys.Max(), Position.Revision) : Position.Revision;

    /// <summary>
    /// A change from live delivery (or a send's acknowledgement): applied if it is the next revision,
    /// held back if it is ahead of a gap, dropped if it is accounted for already.
    /// </summary>
    public IReadOnlyList<OrderedChange> AcceptLive(MessageDto message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var handedOn = new List<OrderedChange>();
        if (message.ConversationId == ConversationId && message.Revision > Position.Revision)
        {
            // The first copy of a revision wins: a live copy and an acknowledgement are the same change.
            _ahead.TryAdd(message.Revision, message);
        }

        ApplyAhead(coveredThrough: Position.Revision, handedOn);
        return handedOn;
    }

    /// <summary>
    /// A page read from the server (<c>GetChanges(after)</c> with <c>after</c> at or below the position's
    /// revision): it is every change up to its last revision, so nothing below that is waited for any longer.
    /// </summary>
    public IReadOnlyList<OrderedChange> AcceptRead(IReadOnlyList<MessageDto> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var covered = Position.Revision;
        foreach (var message in page.Where(m => m.ConversationId == ConversationId && m.Revision > Position.Revision))
        {
            // A read's copy is the message's current state, at least as new as a live copy of that revision.
            _ahead[message.Revision] = message;
            covered = Math.Max(covered, message.Revision);
        }

        var handedOn = new List<OrderedChange>();
        ApplyAhead(covered, handedOn);
        return handedOn;
    }

    /// <summary>
    /// The server has nothing after the position's revision, yet messages wait for an earlier sequence: that
    /// sequence does not exist (a position the application passed in was ahead of the log), so they go out.
    /// </summary>
    public IReadOnlyList<OrderedChange> Settle()
    {
        var handedOn = new List<OrderedChange>();
        if (_ahead.Count == 0)
        {
            foreach (var (sequence, message) in _unsequenced)
            {
                Position = Position with { Sequence = sequence };
                handedOn.Add(new OrderedChange(message, IsNew: true));
            }

            _unsequenced.Clear();
        }

        return handedOn;
    }

    private void ApplyAhead(long coveredThrough, List<OrderedChange> handedOn)
    {
        while (_ahead.Count > 0)
        {
            var (revision, message) = _ahead.First();
            if (revision != Position.Revision + 1 && revision > coveredThrough)
            {
                break;
            }

            _ahead.Remove(revision);
            Position = Position with { Revision = revision };
            Apply(message, handedOn);
        }

        Position = Position with { Revision = Math.Max(Position.Revision, coveredThrough) };
    }

    private void Apply(MessageDto message, List<OrderedChange> handedOn)
    {
        if (message.Sequence <= Position.Sequence)
        {
            handedOn.Add(new OrderedChange(message, IsNew: false));
            return;
        }

        // Not handed on yet: its latest state goes out once, when every earlier message has.
        _unsequenced[message.Sequence] = message;
        while (_unsequenced.Remove(Position.Sequence + 1, out var next))
        {
            Position = Position with { Sequence = next.Sequence };
            handedOn.Add(new OrderedChange(next, IsNew: true));
        }
    }
}
