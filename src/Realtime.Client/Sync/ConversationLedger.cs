using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>
/// Which conversations the application follows and where each stands. Pure and single-threaded:
/// the caller serializes calls.
/// </summary>
public sealed class ConversationLedger
{
    private readonly Dictionary<string, ConversationOrder> _active = new(StringComparer.Ordinal);

    // Where a conversation the user left stood, so coming back does not hand the same messages on twice.
    private readonly Dictionary<string, long> _left = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Active => _active.Keys;

    /// <summary>The last sequence handed on per followed conversation: what an application persists to resume.</summary>
    public IReadOnlyDictionary<string, long> Positions => _active.ToDictionary(c => c.Key, c => c.Value.DeliveredThrough, StringComparer.Ordinal);

    public ConversationOrder? Find(string conversationId) => _active.GetValueOrDefault(conversationId);

    public bool HasLeft(string conversationId) => _left.ContainsKey(conversationId);

    /// <summary>Starts following a conversation after <paramref name="deliveredThrough"/>, or where it stood when the user left it.</summary>
    /// <returns>False when it is followed already.</returns>
    public bool Join(string conversationId, long deliveredThrough)
    {
        if (_active.ContainsKey(conversationId))
        {
            return false;
        }

        if (_left.Remove(conversationId, out var before))
        {
            deliveredThrough = Math.Max(deliveredThrough, before);
        }

        _active[conversationId] = new ConversationOrder(conversationId, deliveredThrough);
        return true;
    }

    /// <returns>False when it was not followed.</returns>
    public bool Leave(string conversationId)
    {
        if (!_active.Remove(conversationId, out var order))
        {
            return false;
        }

        _left[conversationId] = order.DeliveredThrough;
        return true;
    }

    /// <summary>
    /// Brings the followed set in line with the server's list of the user's conversations: joins the new
    /// ones (at <paramref name="startOf"/>), leaves the missing ones, and names every conversation that is
    /// behind the server or has a gap, with the sequence it must reach.
    /// </summary>
    public Reconciliation Reconcile(IReadOnlyList<ConversationDto> current, Func<ConversationDto, long> startOf)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(startOf);
        var joined = current.Where(c => Join(c.Id, startOf(c))).ToList();
        var listed = current.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var left = _active.Keys.Where(id => !listed.Contains(id)).ToList();
        foreach (var id in left)
        {
            Leave(id);
        }

        var behind = current
            .Select(c => (Conversation: c, Order: _active[c.Id]))
            .Where(x => x.Order.DeliveredThrough < x.Conversation.LastSequence || x.Order.HasGap)
            .Select(x => new CatchUpTarget(x.Conversation.Id, Math.Max(x.Conversation.LastSequence, x.Order.HighestSeen)))
            .ToList();
        return new Reconciliation(joined, left, behind);
    }
}

public sealed record Reconciliation(IReadOnlyList<ConversationDto> Joined, IReadOnlyList<string> Left, IReadOnlyList<CatchUpTarget> Behind);

/// <summary>A conversation to read until everything through <paramref name="Through"/> is handed on.</summary>
public sealed record CatchUpTarget(string ConversationId, long Through);
