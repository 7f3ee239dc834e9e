using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Delivery;
using Realtime.Server.Errors;

namespace Realtime.Server.Conversations;

/// <summary>Delivered watermarks (next to the read ones kept by <c>MarkRead</c>) and every member's receipts, for "delivered" and "seen by".</summary>
public sealed class ReceiptService(ChatDbContext db, IChatNotifier notifier, TimeProvider clock)
{
    /// <summary>Raises the caller's delivered watermark to <paramref name="sequence"/>, clamped to the last message; never lowers it.</summary>
    public async Task<ReadReceiptDto> MarkDeliveredAsync(string userId, string? conversationId, long sequence, CancellationToken cancellationToken = default)
    {
        var id = Ids.RequireConversationId(conversationId);
        if (sequence < 0)
        {
            throw ChatException.InvalidArgument("sequence must be 0 or more.");
        }

        await ConversationService.EnsureMemberAsync(db, userId, id, cancellationToken);
        var lastSequence = await db.Conversations.Where(c => c.Id == id).Select(c => c.LastSequence).SingleAsync(cancellationToken);
        var target = Math.Min(sequence, lastSequence);

        // One conditional UPDATE: concurrent calls can only raise the watermark. It is never below the
        // read one, which MarkRead raises it to.
        var moved = await db.Members
            .Where(m => m.ConversationId == id && m.UserId == userId && m.LastDeliveredSequence < target)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.LastDeliveredSequence, target).SetProperty(m => m.DeliveredAt, clock.UtcNowForStorage()), cancellationToken);

        var receipt = (await ReceiptsAsync(db.Members.Where(m => m.ConversationId == id && m.UserId == userId), cancellationToken)).Single();
        if (moved > 0)
        {
            await notifier.ReadReceiptUpdatedAsync(receipt);
        }

        return receipt;
    }

    /// <summary>One receipt per member who has read or received anything, by user id.</summary>
    public async Task<IReadOnlyList<ReadReceiptDto>> GetAsync(string userId, string? conversationId, CancellationToken cancellationToken = default)
    {
        var id = Ids.RequireConversationId(conversationId);
        await ConversationService.EnsureMemberAsync(db, userId, id, cancellationToken);
        return await ReceiptsAsync(
            db.Members.Where(m => m.ConversationId == id && (m.LastReadSequence > 0 || m.LastDeliveredSequence > 0)).OrderBy(m => m.UserId),
            cancellationToken);
    }

    private static async Task<List<ReadReceiptDto>> ReceiptsAsync(IQueryable<ConversationMember> members, CancellationToken cancellationToken) =>
        (await members.AsNoTracking()
            .Select(m => new { m.ConversationId, m.UserId, m.LastReadSequence, ReadAt = m.ReadAt ?? m.JoinedAt, m.LastDeliveredSequence })
            .ToListAsync(cancellationToken))
        .ConvertAll(m => new ReadReceiptDto(m.ConversationId, m.UserId, m.LastReadSequence, m.ReadAt, m.LastDeliveredSequence));
}
