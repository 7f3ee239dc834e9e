using Realtime.Contracts;
using Realtime.Persistence;

namespace Realtime.Server.Messages;

/// <summary>A reaction row; one added in this batch has no revision yet, only its place in the batch.</summary>
internal sealed record ReactionRow(string Emoji, string UserId)
{
    public long Revision { get; set; }

    public int Offset { get; init; }
}

/// <summary>A stored message as a batch of changes leaves it: its row, its reactions, and what the commit must write.</summary>
internal sealed class MessageState(Message row, List<ReactionRow> reactions)
{
    public Message Row { get; } = row;

    /// <summary>The revision as read: the commit writes only if it is still this.</summary>
    public long ReadRevision { get; } = row.Revision;

    public List<ReactionRow> Reactions { get; } = reactions;

    public List<ReactionRow> Added { get; } = [];

    public List<ReactionRow> Removed { get; } = [];

    public HashSet<string> Actors { get; } = new(StringComparer.Ordinal);

    /// <summary>The place of the last change to this message among its conversation's revisions in the batch; 0 when untouched.</summary>
    public int LastOffset { get; set; }

    public void Add(ReactionRow reaction)
    {
        Reactions.Add(reaction);
        Added.Add(reaction);
    }

    public void Remove(int index)
    {
        var reaction = Reactions[index];
        Reactions.RemoveAt(index);
        if (!Added.Remove(reaction))
        {
            Removed.Add(reaction);
        }
    }

    public void ClearReactions()
    {
        for (var i = Reactions.Count - 1; i >= 0; i--)
        {
            Remove(i);
        }
    }

    public MessageSnapshot Snapshot() => new(this, Row.Content, Row.EditedAt, Row.DeletedAt, [.. Reactions], LastOffset);
}

/// <summary>A message as one change of the batch left it; its revision is known once the commit allocated the batch's.</summary>
internal sealed record MessageSnapshot(MessageState Of, string Content, DateTime? EditedAt, DateTime? DeletedAt, List<ReactionRow> Reactions, int AtOffset)
{
    /// <summary>The revision this state has: the read one, or the one its last change in the batch took.</summary>
    public long RevisionAfter(IReadOnlyDictionary<string, long> batchBase) =>
        AtOffset == 0 ? Of.ReadRevision : batchBase[Of.Row.ConversationId] + AtOffset;

    public MessageDto ToDto(long revision)
    {
        var row = Of.Row;
        return new MessageDto(
            row.Id, row.ConversationId, row.Sequence, row.SenderId, row.ClientMessageId, DeletedAt is null ? Content : "", row.SentAt,
            revision, EditedAt, DeletedAt, row.ReplyToMessageId,
            DeletedAt is null ? MessageViews.Grouped(Reactions.Select(r => (r.Emoji, r.UserId))) : []);
    }
}
