using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;

namespace Realtime.Server.Messages;

/// <summary>The one mapping from stored rows to <see cref="MessageDto"/>: a message with its reactions, a tombstone without.</summary>
internal static class MessageViews
{
    public static MessageDto ToDto(Message m, IReadOnlyList<ReactionDto> reactions) =>
        m.DeletedAt is null
            ? new(m.Id, m.ConversationId, m.Sequence, m.SenderId, m.ClientMessageId, m.Content, m.SentAt, m.Revision, m.EditedAt, null, m.ReplyToMessageId, reactions)
            : new(m.Id, m.ConversationId, m.Sequence, m.SenderId, m.ClientMessageId, "", m.SentAt, m.Revision, m.EditedAt, m.DeletedAt, m.ReplyToMessageId, []);

    /// <summary>A message just stored by a send: it has no reactions yet.</summary>
    public static MessageDto Created(Message m) => ToDto(m, []);

    /// <summary>The rows as DTOs, in the same order, with their reactions read in one query.</summary>
    public static async Task<List<MessageDto>> ToDtosAsync(ChatDbContext db, List<Message> rows, CancellationToken cancellationToken)
    {
        var reactions = await ReactionsOfAsync(db, rows.Where(r => r.DeletedAt is null).Select(r => r.Id).ToList(), cancellationToken);
        return rows.ConvertAll(r => ToDto(r, reactions.TryGetValue(r.Id, out var own) ? own : []));
    }

    public static async Task<Dictionary<string, IReadOnlyList<ReactionDto>>> ReactionsOfAsync(ChatDbContext db, List<string> messageIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<ReactionDto>>(StringComparer.Ordinal);
        if (messageIds.Count == 0)
        {
            return result;
        }

        var rows = await db.Reactions.AsNoTracking()
            .Where(r => messageIds.Contains(r.MessageId))
            .OrderBy(r => r.Revision)
            .Select(r => new { r.MessageId, r.Emoji, r.UserId })
            .ToListAsync(cancellationToken);
        foreach (var message in rows.GroupBy(r => r.MessageId, StringComparer.Ordinal))
        {
            result[message.Key] = Grouped(message.Select(r => (r.Emoji, r.UserId)));
        }

        return result;
    }

    /// <summary>Reactions in the order they were added, as the contract lists them: emoji by first use, users by reacting.</summary>
    public static IReadOnlyList<ReactionDto> Grouped(IEnumerable<(string Emoji, string UserId)> inOrder)
    {
        var byEmoji = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (emoji, userId) in inOrder)
        {
            if (!byEmoji.TryGetValue(emoji, out var users))
            {
                byEmoji[emoji] = users = [];
                order.Add(emoji);
            }

            users.Add(userId);
        }

        return order.ConvertAll(emoji => new ReactionDto(emoji, byEmoji[emoji]));
    }
}
