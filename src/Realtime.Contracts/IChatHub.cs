namespace Realtime.Contracts;

/// <summary>Client-to-server calls on <see cref="ChatEndpoints.HubPath"/>. Method names are wire names.</summary>
public interface IChatHub
{
    Task<ConversationDto> CreateConversation(string title, IReadOnlyList<string> memberIds);

    Task<ConversationDto> AddMember(string conversationId, string userId);

    Task<ConversationDto> RemoveMember(string conversationId, string userId);

    Task<IReadOnlyList<ConversationDto>> GetConversations();

    /// <summary>Returns once the message is durable. A repeated <paramref name="clientMessageId"/> returns the original.</summary>
    Task<MessageDto> SendMessage(string conversationId, string clientMessageId, string content);

    /// <summary>Messages with <c>sequence &gt; afterSequence</c>, ascending: the resync call after a reconnect.</summary>
    Task<IReadOnlyList<MessageDto>> GetMessages(string conversationId, long afterSequence, int limit);

    /// <summary>The <paramref name="limit"/> messages just before <paramref name="beforeSequence"/> (null = latest), ascending.</summary>
    Task<IReadOnlyList<MessageDto>> GetHistory(string conversationId, long? beforeSequence, int limit);

    Task<ReadReceiptDto> MarkRead(string conversationId, long sequence);

    Task SetTyping(string conversationId, bool isTyping);

    Task<IReadOnlyList<PresenceDto>> GetPresence(IReadOnlyList<string> userIds);
}
