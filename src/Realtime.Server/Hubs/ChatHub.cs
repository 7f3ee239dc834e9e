using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Server.Auth;
using Realtime.Server.Messages;
using Realtime.Server.Observability;
using Realtime.Server.Connections;

namespace Realtime.Server.Hubs;

/// <summary>Thin by design: resolves the caller and the connection, then hands over to the domain services.</summary>
[Authorize]
public sealed partial class ChatHub(
    ChatHubServices services,
    MessageSender sender,
    MessageChanger changer,
    IPresenceTracker tracker,
    ConnectGate gate,
    ChatHubLifetimeManager groups,
    LocalConversationGroups local,
    TypingRegistry typingRegistry,
    IOptions<ChatOptions> options,
    ChatMetrics metrics,
    ILogger<ChatHub> logger) : Hub<IChatClient>, IChatHub
{
    private string UserId => Context.User.RequireUserId();
    public override async Task OnConnectedAsync()
    {
        var userId = UserId;
        // Every refusal comes before the database is touched, and is the close reason the client reads.
        gate.EnsureOpen();
        // A connect refused for the user's open connections takes none of their connects per minute: the
        // bucket is only looked at here and taken from once the connection is in.
        gate.EnsureConnectsLeft(userId);

        // Register before reading memberships: a membership change made anywhere after this point
        // sees this connection, and one made before it is in what we read next. The per-user limit is
        // checked in the same step, so two connects of one user cannot both take the last place.
        var limit = options.Value.MaxConnectionsPerUser;
        var opened = await tracker.ConnectionOpenedAsync(userId, Context.ConnectionId, limit);
        if (opened == ConnectionOpened.AtLimit)
        {
            LogTooManyConnections(logger, userId, limit);
            throw new HubException($"{ChatErrorCodes.RateLimited}: This user already has {limit} open connections, the most allowed; close one and connect again.");
        }

        try
        {
            gate.Admit(userId);
            await JoinConversationGroupsAsync(userId);
            if (opened == ConnectionOpened.CameOnline)
            {
                await services.Presence.UserCameOnlineAsync(userId, local.ConversationsOf(Context));
            }
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync for a connection that failed to connect.
            await tracker.ConnectionClosedAsync(userId, Context.ConnectionId);
            throw;
        }

        // Last, so it pairs with OnDisconnectedAsync: SignalR calls that only after a successful connect.
        metrics.ConnectionOpened();
        LogConnected(logger, userId, Context.ConnectionId);
    }

    private async Task JoinConversationGroupsAsync(string userId)
    {
        // The connect's one database read. A removal committed after it reaches this node's connection
        // (registered before the read) while it joins, and overrides the join (see AddToConversationAsync).
        foreach (var (conversationId, lastSequence) in await services.Conversations.GetMembershipsAsync(userId))
        {
            await groups.AddToConversationAsync(Context.ConnectionId, conversationId, lastSequence, atConnect: true);
        }

        local.ConnectJoined(Context.ConnectionId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var userId = UserId;
        foreach (var conversationId in typingRegistry.ConnectionClosed(userId, Context.ConnectionId))
        {
            await services.Typing.PublishAsync(userId, conversationId, isTyping: false);
        }

        if (await tracker.ConnectionClosedAsync(userId, Context.ConnectionId))
        {
            await services.Presence.UserWentOfflineAsync(userId, local.ConversationsOf(Context));
        }

        metrics.ConnectionClosed();

        LogDisconnected(logger, userId, Context.ConnectionId);
    }

    public Task<ConversationDto> CreateConversation(string title, IReadOnlyList<string> memberIds) =>
        services.Conversations.CreateAsync(UserId, title, memberIds);

    public Task<ConversationDto> AddMember(string conversationId, string userId) =>
        services.Conversations.AddMemberAsync(UserId, conversationId, userId);

    public Task<ConversationDto> RemoveMember(string conversationId, string userId) =>
        services.Conversations.RemoveMemberAsync(UserId, conversationId, userId);

    public Task<IReadOnlyList<ConversationDto>> GetConversations() =>
        services.Conversations.GetForUserAsync(UserId);

    public async Task<MessageDto> SendMessage(string conversationId, string clientMessageId, string content)
    {
        var userId = UserId;
        var result = await sender.SendAsync(userId, conversationId, clientMessageId, content);
        if (typingRegistry.Stopped(result.Message.ConversationId, userId))
        {
            await services.Typing.PublishAsync(userId, result.Message.ConversationId, isTyping: false);
        }

        return result.Message;
    }

    public async Task<MessageDto> PostMessage(string conversationId, NewMessageDto message)
    {
        if (message is null)
        {
            throw new HubException($"{ChatErrorCodes.InvalidArgument}: message is required.");
        }

        var userId = UserId;
        var result = await sender.SendAsync(userId, conversationId, message.ClientMessageId, message.Content, message.ReplyToMessageId);
        if (typingRegistry.Stopped(result.Message.ConversationId, userId))
        {
            await services.Typing.PublishAsync(userId, result.Message.ConversationId, isTyping: false);
        }

        return result.Message;
    }

    public async Task<MessageDto> EditMessage(string conversationId, string messageId, string content) =>
        (await changer.EditAsync(UserId, conversationId, messageId, content)).Message;

    public async Task<MessageDto> DeleteMessage(string conversationId, string messageId) =>
        (await changer.DeleteAsync(UserId, conversationId, messageId)).Message;

    public async Task<MessageDto> React(string conversationId, string messageId, string emoji, bool add) =>
        (await changer.ReactAsync(UserId, conversationId, messageId, emoji, add)).Message;

    public Task<IReadOnlyList<MessageDto>> GetChanges(string conversationId, long afterRevision, int limit) =>
        services.Messages.GetChangesAsync(UserId, conversationId, afterRevision, limit);

    public Task<IReadOnlyList<MessageDto>> GetMessages(string conversationId, long afterSequence, int limit) =>
        services.Messages.GetMessagesAsync(UserId, conversationId, afterSequence, limit);

    public Task<IReadOnlyList<MessageDto>> GetHistory(string conversationId, long? beforeSequence, int limit) =>
        services.Messages.GetHistoryAsync(UserId, conversationId, beforeSequence, limit);

    public Task<ReadReceiptDto> MarkRead(string conversationId, long sequence) =>
        services.Messages.MarkReadAsync(UserId, conversationId, sequence);

    public async Task SetTyping(string conversationId, bool isTyping)
    {
        var userId = UserId;
        var id = await services.Typing.EnsureMayTypeAsync(userId, conversationId);
        if (!isTyping)
        {
            typingRegistry.Stopped(id, userId);
            await services.Typing.PublishAsync(userId, id, isTyping: false);
        }
        else if (typingRegistry.Started(id, userId, Context.ConnectionId))
        {
            await services.Typing.PublishAsync(userId, id, isTyping: true);
        }
    }

    public Task<IReadOnlyList<PresenceDto>> GetPresence(IReadOnlyList<string> userIds) =>
        services.Presence.GetAsync(userIds);

    public Task<ConversationDto> OpenDirectConversation(string userId) =>
        services.Directs.OpenAsync(UserId, userId);

    public Task<ConversationDto> UpdateConversation(string conversationId, string? title, string? topic) =>
        services.Administration.UpdateAsync(UserId, conversationId, title, topic);

    public Task<ConversationDto> SetMemberRole(string conversationId, string userId, string role) =>
        services.Administration.SetRoleAsync(UserId, conversationId, userId, role);

    public Task<ReadReceiptDto> MarkDelivered(string conversationId, long sequence) =>
        services.Receipts.MarkDeliveredAsync(UserId, conversationId, sequence);

    public Task<IReadOnlyList<ReadReceiptDto>> GetReceipts(string conversationId) =>
        services.Receipts.GetAsync(UserId, conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} refused a connection: already at the limit of {Limit}")]
    private static partial void LogTooManyConnections(ILogger logger, string userId, int limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "User {UserId} connected as {ConnectionId}")]
    private static partial void LogConnected(ILogger logger, string userId, string connectionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "User {UserId} disconnected from {ConnectionId}")]
    private static partial void LogDisconnected(ILogger logger, string userId, string connectionId);
}
