using System.Collections.Concurrent;
using Realtime.Contracts;

namespace Realtime.ConsoleChat;

/// <summary>The user's conversations, numbered in the order they were created, found by number, title or id.</summary>
internal sealed class Catalogue
{
    private readonly ConcurrentDictionary<string, ConversationDto> _conversations = new(StringComparer.Ordinal);

    public void Put(ConversationDto conversation) => _conversations[conversation.Id] = conversation;

    public void Remove(string conversationId) => _conversations.TryRemove(conversationId, out _);

    public IReadOnlyList<ConversationDto> Numbered() =>
        [.. _conversations.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal)];

    public int NumberOf(string conversationId) => Numbered().ToList().FindIndex(c => c.Id == conversationId) + 1;

    public string Name(string conversationId) =>
        _conversations.TryGetValue(conversationId, out var conversation) ? $"{NumberOf(conversationId)}. {conversation.Title}" : conversationId;

    /// <summary>A list number, a title (whole, or the start of one), or an id.</summary>
    public ConversationDto Find(string text)
    {
        text = text.Trim();
        var numbered = Numbered();
        if (int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number >= 1 && number <= numbered.Count
                ? numbered[number - 1]
                : throw new UserError($"there is no conversation {number}; /list shows {numbered.Count}");
        }

        var matches = numbered.Where(c => c.Id == text || string.Equals(c.Title, text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. numbered.Where(c => c.Title.StartsWith(text, StringComparison.OrdinalIgnoreCase))];
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new UserError($"no conversation is called \"{text}\"; /list shows them"),
            _ => throw new UserError($"\"{text}\" could be {string.Join(" or ", matches.Select(c => Name(c.Id)))}; use its number"),
        };
    }
}

/// <summary>A command the user got wrong: printed, and the session goes on.</summary>
internal sealed class UserError(string message) : Exception(message);
