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
    private readonly Dictionary<string, SyncPosition> _left = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Active => _active.Keys;

    /// <summary>Where each followed conversation stands: what an application persists to resume.</summary>
    public IReadOnlyDictionary<string, SyncPosition> Positions => _active.ToDictionary(c => c.Key, c => c.Value.Position, StringComparer.Ordinal);

    public ConversationOrder? Find(string conversationId) => _active.GetValueOrDefault(conversationId);

    public bool HasLeft(string conversationId) => _left.ContainsKey(conversationId);

    /// <summary>Starts following a conversation at <paramref name="position"/>, or where it stood when the user left it if that is further.</summary>
    /// <returns>False when it is followed already.</returns>
    public bool Join(string conversationId, SyncPosition position)
    {
        if (_active.ContainsKey(conversationId))
        {
            return false;
        }

        if (_left.Remove(conversationId, out var before))
        {
            position = before.Revision > position.Revision ? before : position;
        }

        _active[conversationId] = new ConversationOrder(conversationId, position);
        return true;
    }

    /// <returns>False when it was not followed.</returns>
    public bool Leave(string conversationId)
    {
        if (!_active.Remove(conversationId, out var order))
        {
            return false;
        }

        _left[conversationId] = order.Position;
        return true;
    }

    /// <summary>
    /// Brings the followed set in line with the server's list of the user's conversations: joins the new
    /// ones (at <paramref name="startOf"/>), leaves the missing ones, and names every conversation that is
    /// behind the server or has a gap, with the revision it must reach.
    /// </summary>
    public Reconciliation Reconcile(IReadOnlyList<ConversationDto> current, Func<ConversationDto, SyncPosition> startOf)
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
            .Where(x => x.Order.Position.Revision < x.Conversation.LastRevision || x.Order.HasGap)
            .Select(x => new CatchUpTarget(x.Conversation.Id, Math.Max(x.Conversation.LastRevision, x.Order.HighestRevision)))
            .ToList();
        return new Reconciliation(joined, left, behind);
    }
}

public sealed record Reconciliation(IReadOnlyList<ConversationDto> Joined, IReadOnlyList<string> Left, IReadOnlyList<CatchUpTarget> Behind);

/// <summary>A conversation to read until every change through revision <paramref name="Through"/> is handed on.</summary>
public sealed record CatchUpTarget(string ConversationId, long Through);
