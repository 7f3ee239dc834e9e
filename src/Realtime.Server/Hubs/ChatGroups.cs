namespace Realtime.Server.Hubs;

public static class ChatGroups
{
    public static string Conversation(string conversationId) => "conversation:" + conversationId;
}
