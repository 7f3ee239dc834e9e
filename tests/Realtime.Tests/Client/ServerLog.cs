using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Tests.Client;

/// <summary>A conversation's log as the server stores it, and a message's state in a form two logs compare by.</summary>
internal static class ServerLog
{
    public static (string Id, long Sequence, long Revision, string Content, bool Deleted, string Reactions) State(MessageDto message) =>
        (message.Id, message.Sequence, message.Revision, message.Content, message.DeletedAt is not null,
         string.Join(";", message.Reactions.Select(r => $"{r.Emoji}:{string.Join(",", r.UserIds)}")));

    /// <summary>The conversation's whole log, paged.</summary>
    public static async Task<IReadOnlyList<MessageDto>> ReadAsync(ChatClient hub, string conversationId)
    {
        var log = new List<MessageDto>();
        while (await hub.GetMessages(conversationId, log.Count == 0 ? 0 : log[^1].Sequence, 200) is { Count: > 0 } page)
        {
            log.AddRange(page);
        }

        return log;
    }
}
