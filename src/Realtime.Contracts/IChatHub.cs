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

    // Contract v2: the conversation log (every change to a message takes the next revision),
    // direct conversations, roles and delivery receipts.

    /// <summary>As <see cref="SendMessage"/>, optionally as a reply to a message of the same conversation.</summary>
    Task<MessageDto> PostMessage(string conversationId, NewMessageDto message);

    /// <summary>The sender only; not a deleted message. Takes a new revision and sets <c>editedAt</c>.</summary>
    Task<MessageDto> EditMessage(string conversationId, string messageId, string content);

    /// <summary>The sender, or an owner or admin: a tombstone keeps id, sequence and sender.</summary>
    Task<MessageDto> DeleteMessage(string conversationId, string messageId);

    /// <summary>Adds or removes the caller's <paramref name="emoji"/>; a change to nothing takes no revision.</summary>
    Task<MessageDto> React(string conversationId, string messageId, string emoji, bool add);


    /// <summary>Every message created or changed after <paramref name="afterRevision"/>, in its current state, ascending by revision.</summary>
    Task<IReadOnlyList<MessageDto>> GetChanges(string conversationId, long afterRevision, int limit);
}
