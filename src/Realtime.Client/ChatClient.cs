using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Contracts;

namespace Realtime.Client;

/// <summary>
/// A typed connection to the chat hub: one method per <see cref="IChatHub"/> call, and
/// <see cref="IChatClient"/> receivers for what the server sends.
/// </summary>
public sealed class ChatClient : IChatHub, IAsyncDisposable
{
    private ChatClient(HubConnection connection) => Connection = connection;

    /// <summary>The underlying connection, for state, reconnect events and anything not wrapped here.</summary>
    public HubConnection Connection { get; }

    public HubConnectionState State => Connection.State;

    /// <param name="serverUrl">The server's base address; the hub path is appended.</param>
    /// <param name="accessTokenProvider">Called at every (re)connect, so a refreshed token is picked up.</param>
    /// <param name="configure">Last word on the builder, for logging or transport options.</param>
    public static ChatClient Create(
        Uri serverUrl,
        Func<Task<string?>> accessTokenProvider,
        ChatProtocol protocol = ChatProtocol.Json,
        IRetryPolicy? reconnectPolicy = null,
        Action<IHubConnectionBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serverUrl);
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(serverUrl, ChatEndpoints.HubPath), options => options.AccessTokenProvider = accessTokenProvider);
        builder = reconnectPolicy is null ? builder.WithAutomaticReconnect() : builder.WithAutomaticReconnect(reconnectPolicy);
        if (protocol == ChatProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        configure?.Invoke(builder);
        return new ChatClient(builder.Build());
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => Connection.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => Connection.StopAsync(cancellationToken);

    /// <summary>Routes every server-to-client call to <paramref name="receiver"/> until the result is disposed.</summary>
    public IDisposable RegisterReceiver(IChatClient receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var registrations = new[]
        {
            Connection.On<MessageDto>(nameof(IChatClient.MessageReceived), receiver.MessageReceived),
            Connection.On<MessageDto>(nameof(IChatClient.MessageUpdated), receiver.MessageUpdated),
            Connection.On<ReadReceiptDto>(nameof(IChatClient.ReadReceiptUpdated), receiver.ReadReceiptUpdated),
            Connection.On<TypingDto>(nameof(IChatClient.TypingChanged), receiver.TypingChanged),
            Connection.On<PresenceDto>(nameof(IChatClient.PresenceChanged), receiver.PresenceChanged),
            Connection.On<ConversationDto>(nameof(IChatClient.ConversationUpdated), receiver.ConversationUpdated),
            Connection.On<NotificationDto>(nameof(IChatClient.Notified), receiver.Notified),
            Connection.On<ProgressDto>(nameof(IChatClient.ProgressChanged), receiver.ProgressChanged),
        };
        return new Registrations(registrations);
    }

    public Task<ConversationDto> CreateConversation(string title, IReadOnlyList<string> memberIds) =>
        CreateConversation(title, memberIds, CancellationToken.None);

    public Task<ConversationDto> CreateConversation(string title, IReadOnlyList<string> memberIds, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<ConversationDto>(nameof(CreateConversation), title, AsArray(memberIds), cancellationToken);

    public Task<ConversationDto> AddMember(string conversationId, string userId) =>
        AddMember(conversationId, userId, CancellationToken.None);

    public Task<ConversationDto> AddMember(string conversationId, string userId, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<ConversationDto>(nameof(AddMember), conversationId, userId, cancellationToken);

    public Task<ConversationDto> RemoveMember(string conversationId, string userId) =>
        RemoveMember(conversationId, userId, CancellationToken.None);

    public Task<ConversationDto> RemoveMember(string conversationId, string userId, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<ConversationDto>(nameof(RemoveMember), conversationId, userId, cancellationToken);

    public Task<IReadOnlyList<ConversationDto>> GetConversations() => GetConversations(CancellationToken.None);

    public Task<IReadOnlyList<ConversationDto>> GetConversations(CancellationToken cancellationToken) =>
        Connection.InvokeAsync<IReadOnlyList<ConversationDto>>(nameof(GetConversations), cancellationToken);

    public Task<MessageDto> SendMessage(string conversationId, string clientMessageId, string content) =>
        SendMessage(conversationId, clientMessageId, content, CancellationToken.None);

    public Task<MessageDto> SendMessage(string conversationId, string clientMessageId, string content, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<MessageDto>(nameof(SendMessage), conversationId, clientMessageId, content, cancellationToken);

    public Task<IReadOnlyList<MessageDto>> GetMessages(string conversationId, long afterSequence, int limit) =>
        GetMessages(conversationId, afterSequence, limit, CancellationToken.None);

    public Task<IReadOnlyList<MessageDto>> GetMessages(string conversationId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<IReadOnlyList<MessageDto>>(nameof(GetMessages), conversationId, afterSequence, limit, cancellationToken);

    public Task<IReadOnlyList<MessageDto>> GetHistory(string conversationId, long? beforeSequence, int limit) =>
        GetHistory(conversationId, beforeSequence, limit, CancellationToken.None);

    public Task<IReadOnlyList<MessageDto>> GetHistory(string conversationId, long? beforeSequence, int limit, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<IReadOnlyList<MessageDto>>(nameof(GetHistory), conversationId, beforeSequence, limit, cancellationToken);

    public Task<ReadReceiptDto> MarkRead(string conversationId, long sequence) =>
        MarkRead(conversationId, sequence, CancellationToken.None);

    public Task<ReadReceiptDto> MarkRead(string conversationId, long sequence, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<ReadReceiptDto>(nameof(MarkRead), conversationId, sequence, cancellationToken);

    public Task SetTyping(string conversationId, bool isTyping) =>
        SetTyping(conversationId, isTyping, CancellationToken.None);

    public Task SetTyping(string conversationId, bool isTyping, CancellationToken cancellationToken) =>
        Connection.InvokeAsync(nameof(SetTyping), conversationId, isTyping, cancellationToken);

    public Task<IReadOnlyList<PresenceDto>> GetPresence(IReadOnlyList<string> userIds) =>
        GetPresence(userIds, CancellationToken.None);

    public Task<IReadOnlyList<PresenceDto>> GetPresence(IReadOnlyList<string> userIds, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<IReadOnlyList<PresenceDto>>(nameof(GetPresence), AsArray(userIds), cancellationToken);

    public Task<MessageDto> PostMessage(string conversationId, NewMessageDto message) =>
        PostMessage(conversationId, message, CancellationToken.None);

    public Task<MessageDto> PostMessage(string conversationId, NewMessageDto message, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<MessageDto>(nameof(PostMessage), conversationId, message, cancellationToken);

    public Task<MessageDto> EditMessage(string conversationId, string messageId, string content) =>
        EditMessage(conversationId, messageId, content, CancellationToken.None);

    public Task<MessageDto> EditMessage(string conversationId, string messageId, string content, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<MessageDto>(nameof(EditMessage), conversationId, messageId, content, cancellationToken);

    public Task<MessageDto> DeleteMessage(string conversationId, string messageId) =>
        DeleteMessage(conversationId, messageId, CancellationToken.None);

    public Task<MessageDto> DeleteMessage(string conversationId, string messageId, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<MessageDto>(nameof(DeleteMessage), conversationId, messageId, cancellationToken);

    public Task<MessageDto> React(string conversationId, string messageId, string emoji, bool add) =>
        React(conversationId, messageId, emoji, add, CancellationToken.None);

    public Task<MessageDto> React(string conversationId, string messageId, string emoji, bool add, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<MessageDto>(nameof(React), conversationId, messageId, emoji, add, cancellationToken);

    public Task<IReadOnlyList<MessageDto>> GetChanges(string conversationId, long afterRevision, int limit) =>
        GetChanges(conversationId, afterRevision, limit, CancellationToken.None);

    public Task<IReadOnlyList<MessageDto>> GetChanges(string conversationId, long afterRevision, int limit, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<IReadOnlyList<MessageDto>>(nameof(GetChanges), conversationId, afterRevision, limit, cancellationToken);

    public Task<ConversationDto> OpenDirectConversation(string userId) =>
        OpenDirectConversation(userId, CancellationToken.None);

    public Task<ConversationDto> OpenDirectConversation(string userId, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<ConversationDto>(nameof(OpenDirectConversation), userId, cancellationToken);

    public Task<ConversationDto> UpdateConversation(string conversationId, string? title, string? topic) =>
        UpdateConversation(conversationId, title, topic, CancellationToken.None);

    public Task<ConversationDto> UpdateConversation(string conversationId, string? title, string? topic, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<ConversationDto>(nameof(UpdateConversation), conversationId, title, topic, cancellationToken);

    public Task<ConversationDto> SetMemberRole(string conversationId, string userId, string role) =>
        SetMemberRole(conversationId, userId, role, CancellationToken.None);

    public Task<ConversationDto> SetMemberRole(string conversationId, string userId, string role, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<ConversationDto>(nameof(SetMemberRole), conversationId, userId, role, cancellationToken);

    public Task<ReadReceiptDto> MarkDelivered(string conversationId, long sequence) =>
        MarkDelivered(conversationId, sequence, CancellationToken.None);

    public Task<ReadReceiptDto> MarkDelivered(string conversationId, long sequence, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<ReadReceiptDto>(nameof(MarkDelivered), conversationId, sequence, cancellationToken);

    public Task<IReadOnlyList<ReadReceiptDto>> GetReceipts(string conversationId) =>
        GetReceipts(conversationId, CancellationToken.None);

    public Task<IReadOnlyList<ReadReceiptDto>> GetReceipts(string conversationId, CancellationToken cancellationToken) =>
        Connection.InvokeAsync<IReadOnlyList<ReadReceiptDto>>(nameof(GetReceipts), conversationId, cancellationToken);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    // MessagePack serializes arguments by their runtime type, and the compiler's collection-expression
    // types have no formatter; an array always does.
    private static string[]? AsArray(IReadOnlyList<string>? values) => values as string[] ?? values?.ToArray();

    private sealed class Registrations(IDisposable[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
