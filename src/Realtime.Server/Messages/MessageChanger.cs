using System.Buffers;
using System.Text;
using Realtime.Server.Errors;

namespace Realtime.Server.Messages;

/// <summary>
/// Edits, deletes and reactions: validates the input and hands the change to the same group commit as sends.
/// Who may make a change, and whether it changes anything, is settled inside the writer's batch against
/// what the database holds (<see cref="ChangePlan"/>).
/// </summary>
public sealed class MessageChanger(MessageWriter writer, MessageSender sender)
{
    public const int MaxEmojiLength = 32;

    public Task<ChangeResult> EditAsync(string userId, string? conversationId, string? messageId, string? content)
    {
        var (conversation, message) = Require(conversationId, messageId);
        sender.ValidateContent(content);
        return writer.ChangeAsync(new PendingChange(ChangeKind.Edit, userId, conversation, message, Content: content));
    }

    public Task<ChangeResult> DeleteAsync(string userId, string? conversationId, string? messageId)
    {
        var (conversation, message) = Require(conversationId, messageId);
        return writer.ChangeAsync(new PendingChange(ChangeKind.Delete, userId, conversation, message));
    }

    public Task<ChangeResult> ReactAsync(string userId, string? conversationId, string? messageId, string? emoji, bool add)
    {
        var (conversation, message) = Require(conversationId, messageId);
        ValidateEmoji(emoji);
        return writer.ChangeAsync(new PendingChange(add ? ChangeKind.AddReaction : ChangeKind.RemoveReaction, userId, conversation, message, Emoji: emoji));
    }

    private static (string ConversationId, string MessageId) Require(string? conversationId, string? messageId) =>
        (Ids.RequireConversationId(conversationId), Ids.RequireMessageId(messageId));

    /// <summary>1 to 32 UTF-16 code units of well-formed text with no whitespace and no control characters; joiners and variation selectors are fine.</summary>
    public static void ValidateEmoji(string? emoji)
    {
        if (string.IsNullOrEmpty(emoji) || emoji.Length > MaxEmojiLength)
        {
            throw ChatException.InvalidArgument($"emoji must be 1 to {MaxEmojiLength} characters.");
        }

        var text = emoji.AsSpan();
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out var rune, out var used) != OperationStatus.Done)
            {
                throw ChatException.InvalidArgument("emoji is not well-formed Unicode (an unpaired surrogate).");
            }

            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                throw ChatException.InvalidArgument("emoji must not contain whitespace or control characters.");
            }

            text = text[used..];
        }
    }
}
