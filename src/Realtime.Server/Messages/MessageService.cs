using System.Buffers;
using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;
using Realtime.Server.Observability;
using Realtime.Server.Delivery;

namespace Realtime.Server.Messages;

/// <summary>The outcome of a send: <see cref="IsNew"/> is false when a retry returned the original message.</summary>
public sealed record SendResult(MessageDto Message, bool IsNew);

/// <summary>Appends messages (durable before acknowledged, gap-free sequences), pages them, and keeps read watermarks.</summary>
public sealed class MessageService(
    ChatDbContext db,
    ConversationService conversations,
    IChatNotifier notifier,
    MessageWriter writer,
    ChatMetrics metrics,
    IOptions<ChatOptions> options,
    TimeProvider clock)
{
    private readonly ChatOptions _limits = options.Value;

    public async Task<SendResult> SendAsync(string senderId, string? conversationId, string? clientMessageId, string? content, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        conversationId = Ids.RequireConversationId(conversationId);
        clientMessageId = Ids.RequireClientMessageId(clientMessageId);
        ValidateContent(content);

        // Membership, idempotency and the sequence are all settled inside the writer's transaction:
        // no read before the queue, and no window between the check and the insert.
        var result = await writer.AppendAsync(new PendingMessage(senderId, conversationId, clientMessageId, content!));
        if (!result.IsNew)
        {
            return Retry(result.Message, conversationId);
        }

        metrics.MessagePersisted(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    public async Task<IReadOnlyList<MessageDto>> GetMessagesAsync(string userId, string? conversationId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        conversationId = Ids.RequireConversationId(conversationId);
        if (afterSequence < 0)
        {
            throw ChatException.InvalidArgument("afterSequence must be 0 or more.");
        }

        var take = PageSize(limit);
        await conversations.EnsureMemberAsync(userId, conversationId, cancellationToken);
        return await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Sequence > afterSequence)
            .OrderBy(m => m.Sequence)
            .Take(take)
            .Select(AsDto)
            .ToListAsync(cancellationToken);
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
            .Select(AsDto)
            .ToListAsync(cancellationToken);
        page.Reverse();
        return page;
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

        var watermark = await db.Members.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.UserId == userId)
            .Select(m => new { m.LastReadSequence, ReadAt = m.ReadAt ?? m.JoinedAt })
            .SingleAsync(cancellationToken);
        var receipt = new ReadReceiptDto(conversationId, userId, watermark.LastReadSequence, watermark.ReadAt);
        if (moved > 0)
        {
            await notifier.ReadReceiptUpdatedAsync(receipt);
        }

        return receipt;
    }

    private static SendResult Retry(MessageDto original, string conversationId) =>
        original.ConversationId == conversationId
            ? new SendResult(original, IsNew: false)
            : throw ChatException.InvalidArgument("clientMessageId was already used for a message in another conversation.");

    private void ValidateContent(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw ChatException.InvalidArgument("content must not be empty.");
        }

        if (content.Length > _limits.MaxContentLength)
        {
            throw ChatException.PayloadTooLarge($"content is longer than {_limits.MaxContentLength} characters.");
        }

        // The JSON protocol refuses these while parsing; this holds for every way in, and a batch is
        // written as text that must encode (SQLite's batch is JSON).
        if (!IsWellFormed(content))
        {
            throw ChatException.InvalidArgument("content is not well-formed Unicode (an unpaired surrogate).");
        }
    }

    private static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return true;
        }

        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out _, out var used) != OperationStatus.Done)
            {
                return false;
            }

            text = text[used..];
        }

        return true;
    }

    private int PageSize(int limit) =>
        limit >= 1 ? Math.Min(limit, _limits.MaxPageSize) : throw ChatException.InvalidArgument("limit must be 1 or more.");

    /// <summary>The one mapping from the stored row to the wire DTO; EF translates it into the SELECT.</summary>
    internal static readonly Expression<Func<Message, MessageDto>> AsDto =
        m => new MessageDto(m.Id, m.ConversationId, m.Sequence, m.SenderId, m.ClientMessageId, m.Content, m.SentAt);

    internal static MessageDto ToDto(Message m) => new(m.Id, m.ConversationId, m.Sequence, m.SenderId, m.ClientMessageId, m.Content, m.SentAt);
}
