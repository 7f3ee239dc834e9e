using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Delivery;

namespace Realtime.Server.Conversations;

/// <summary>Reads a conversation as each member sees it, and publishes committed changes of it to every node.</summary>
public sealed class ConversationSnapshots(ChatDbContext db, IChatNotifier notifier)
{
    /// <summary>Sends <c>ConversationUpdated</c> to every member (and each removed user) and returns the caller's view.</summary>
    public async Task<ConversationDto> PublishAsync(
        string conversationId, string callerId, IReadOnlyList<string> added, IReadOnlyList<string> removed, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(conversationId, added, removed, cancellationToken);
        await notifier.MembershipChangedAsync(snapshot);
        return snapshot.ViewOf(callerId);
    }

    public async Task<ConversationDto> ViewForAsync(string conversationId, string userId, CancellationToken cancellationToken) =>
        (await SnapshotAsync(conversationId, [], [], cancellationToken)).ViewOf(userId);

    /// <summary>The conversation with every member's own watermark and unread count.</summary>
    private async Task<MembershipChange> SnapshotAsync(
        string conversationId, IReadOnlyList<string> added, IReadOnlyList<string> removed, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking()
            .Where(c => c.Id == conversationId)
            .Select(c => new { c.Id, c.Title, c.CreatedAt, c.LastSequence, c.Kind, c.Topic, c.LastRevision })
            .SingleAsync(cancellationToken);
        var members = await db.Members.AsNoTracking()
            .Where(m => m.ConversationId == conversationId)
            .OrderBy(m => m.UserId)
            .Select(m => new
            {
                m.UserId,
                m.Role,
                m.LastReadSequence,
                m.LastDeliveredSequence,
                Unread = db.Messages.Count(x => x.ConversationId == m.ConversationId && x.Sequence > m.LastReadSequence && x.SenderId != m.UserId && x.DeletedAt == null),
            })
            .ToListAsync(cancellationToken);

        var outsiderView = new ConversationDto(
            conversation.Id, conversation.Title, members.ConvertAll(m => m.UserId), conversation.CreatedAt, conversation.LastSequence, 0, 0,
            conversation.Kind, conversation.Topic, conversation.LastRevision, members.ConvertAll(m => new MemberDto(m.UserId, m.Role)), 0);
        var states = members.ToDictionary(m => m.UserId, m => new MemberReadState(m.LastReadSequence, m.Unread, m.LastDeliveredSequence), StringComparer.Ordinal);
        return new MembershipChange(outsiderView, added, removed, states);
    }
}
