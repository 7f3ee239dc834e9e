using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;
using Realtime.Server.Delivery;

namespace Realtime.Server.Messages;

/// <summary>The outcome of a send: <see cref="IsNew"/> is false when a retry returned the original message.</summary>
public sealed record SendResult(MessageDto Message, bool IsNew);

/// <summary>Appends messages (durable before acknowledged, gap-free sequences), pages them, and keeps read watermarks.</summary>
public sealed class MessageService(
    ChatDbContext db,
    ConversationService conversations,
    IChatNotifier notifier,
    MessageSender sender,
    IOptions<ChatOptions> options,
    TimeProvider clock)
{
    private readonly ChatOptions _limits = options.Value;

    /// <inheritdoc cref="MessageSender.SendAsync"/>
    public Task<SendResult> SendAsync(string senderId, string? conversationId, string? clientMessageId, string? content, string? replyToMessageId = null) =>
        sender.SendAsync(senderId, conversationId, clientMessageId, content, replyToMessageId);

    public async Task<IReadOnlyList<MessageDto>> GetMessagesAsync(string userId, string? conversationId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        conversationId = Ids.RequireConversationId(conversationId);
        if (afterSequence < 0)
        {
            throw ChatException.InvalidArgument("afterSequence must be 0 or more.");
        }

        var take = PageSize(limit);
        await conversations.EnsureMemberAsync(userId, conversationId, cancellationToken);
        var rows = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Sequence > afterSequence)
            .OrderBy(m => m.Sequence)
            .Take(take)
            .ToListAsync(cancellationToken);
        return await MessageViews.ToDtosAsync(db, rows, cancellationToken);
    }

    /// <summary>Every message created or changed after <paramref name="afterRevision"/>, once each, in its current state, by revision.</summary>
    public async Task<IReadOnlyList<MessageDto>> GetChangesAsync(string userId, string? conversationId, long afterRevision, int limit, CancellationToken cancellationToken = default)
    {
        conversationId = Ids.RequireConversationId(conversationId);
        if (afterRevision < 0)
        {
            throw ChatException.InvalidArgument("afterRevision must be 0 or more.");
        }

        var take = PageSize(limit);
        await conversations.EnsureMemberAsync(userId, conversationId, cancellationToken);
        var rows = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Revision > afterRevision)
            .OrderBy(m => m.Revision)
            .Take(take)
            .ToListAsync(cancellationToken);
        return await MessageViews.ToDtosAsync(db, rows, cancellationToken);
    }

    public async Task<IReadOnlyList<MessageDto>> GetHistoryAsync(string userId, string? conversationId, long? beforeSequence, int limit, CancellationToken cancellationToken = default)
    {
        conversationId = Ids.RequireConversationId(conversationId);
        if (beforeSequence < 1)
        {
            throw ChatException.InvalidArgument("beforeSequence must be 1 or more, or null for the latest messages.");
        }

        var take = PageSize(limit);
        await conversations.EnsureMemberAsync(userId, conversationId, cancellationToken);
        var before = beforeSequence ?? long.MaxValue;
        var page = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Sequence < before)
            .OrderByDescending(m => m.Sequence)
            .Take(take)
            .ToListAsync(cancellationToken);
        page.Reverse();
        return await MessageViews.ToDtosAsync(db, page, cancellationToken);
    }

    public async Task<ReadReceiptDto> MarkReadAsync(string userId, string? conversationId, long sequence, CancellationToken cancellationToken = default)
    {
        conversationId = Ids.RequireConversationId(conversationId);
        if (sequence < 0)
        {
            throw ChatException.InvalidArgument("sequence must be 0 or more.");
        }

        await conversations.EnsureMemberAsync(userId, conversationId, cancellationToken);
        var lastSequence = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastSequence).SingleAsync(cancellationToken);
        var target = Math.Min(sequence, lastSequence);
        var now = clock.UtcNowForStorage();

        // One conditional UPDATE: concurrent calls can only raise the watermark, never lower it.
        var moved = await db.Members
            .Where(m => m.ConversationId == conversationId && m.UserId == userId && m.LastReadSequence < target)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.LastReadSequence, target).SetProperty(m => m.ReadAt, now), cancellationToken);
        if (moved > 0)
        {
            // What was read was delivered: the delivered watermark is never below the read one.
            await db.Members
                .Where(m => m.ConversationId == conversationId && m.UserId == userId && m.LastDeliveredSequence < target)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.LastDeliveredSequence, target).SetProperty(m => m.DeliveredAt, now), cancellationToken);
        }

        var watermark = await db.Members.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.UserId == userId)
            .Select(m => new { m.LastReadSequence, ReadAt = m.ReadAt ?? m.JoinedAt, m.LastDeliveredSequence })
            .SingleAsync(cancellationToken);
        var receipt = new ReadReceiptDto(conversationId, userId, watermark.LastReadSequence, watermark.ReadAt, watermark.LastDeliveredSequence);
        if (moved > 0)
        {
            await notifier.ReadReceiptUpdatedAsync(receipt);
        }

        return receipt;
    }

    private int PageSize(int limit) =>
        limit >= 1 ? Math.Min(limit, _limits.MaxPageSize) : throw ChatException.InvalidArgument("limit must be 1 or more.");
}
