using System.Diagnostics.CodeAnalysis;

namespace Realtime.Server.Hubs;

public static class ChatGroups
{
    private const string ConversationPrefix = "conversation:";

    public static string Conversation(string conversationId) => ConversationPrefix + conversationId;

    public static bool TryGetConversationId(string groupName, [NotNullWhen(true)] out string? conversationId)
    {
        conversationId = groupName.StartsWith(ConversationPrefix, StringComparison.Ordinal) ? groupName[ConversationPrefix.Length..] : null;
        return conversationId is not null;
    }
}
