using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using Realtime.Server.Errors;
using Realtime.Server.Observability;

namespace Realtime.Server.Messages;

/// <summary>
/// The send path on its own: validates a send and hands it to the group commit. A singleton with no
/// database of its own, because membership, idempotency and the sequence are all settled inside the
/// writer's transaction: a hub send then leases no <c>DbContext</c> and resolves no scoped service.
/// </summary>
public sealed class MessageSender(MessageWriter writer, ReplyTargets replies, ChatMetrics metrics, IOptions<ChatOptions> options)
{
    private readonly ChatOptions _limits = options.Value;

    public async Task<SendResult> SendAsync(string senderId, string? conversationId, string? clientMessageId, string? content, string? replyToMessageId = null)
    {
        var started = Stopwatch.GetTimestamp();
        conversationId = Ids.RequireConversationId(conversationId);
        clientMessageId = Ids.RequireClientMessageId(clientMessageId);
        ValidateContent(content);
        if (replyToMessageId is not null)
        {
            // A reply reads its target first (messages are never removed, only emptied, so it cannot
            // vanish before the insert); a plain send still reads nothing before the queue.
            await replies.EnsureAsync(senderId, conversationId, Ids.RequireMessageId(replyToMessageId));
        }

        // No read before the queue, and no window between the check and the insert.
        var result = await writer.AppendAsync(new PendingMessage(senderId, conversationId, clientMessageId, content!, replyToMessageId));
        if (!result.IsNew)
        {
            return Retry(result.Message.ConversationId == conversationId, result);
        }

        metrics.MessagePersisted(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    private static SendResult Retry(bool sameConversation, SendResult original) =>
        sameConversation
            ? original
            : throw ChatException.InvalidArgument("clientMessageId was already used for a message in another conversation.");

    /// <summary>The limits every content obeys, sent or edited.</summary>
    public void ValidateContent(string? content)
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
}
