using Realtime.Server.Conversations;
using Realtime.Server.Messages;
using Realtime.Server.Presence;

namespace Realtime.Server.Hubs;

/// <summary>
/// The hub's scoped domain services, each resolved on first use. SignalR builds a hub for every call;
/// taking these in the hub's constructor leased a pooled <c>DbContext</c> (and reset it afterwards) for
/// every call, sends included, which need no database outside the group commit.
/// </summary>
public sealed class ChatHubServices(IServiceProvider services)
{
    private ConversationService? _conversations;
    private MessageService? _messages;
    private PresenceService? _presence;
    private TypingService? _typing;
    private DirectConversations? _directs;
    private ConversationAdministration? _administration;
    private ReceiptService? _receipts;

    public ConversationService Conversations => _conversations ??= services.GetRequiredService<ConversationService>();

    public MessageService Messages => _messages ??= services.GetRequiredService<MessageService>();

    public PresenceService Presence => _presence ??= services.GetRequiredService<PresenceService>();

    public TypingService Typing => _typing ??= services.GetRequiredService<TypingService>();

    public DirectConversations Directs => _directs ??= services.GetRequiredService<DirectConversations>();

    public ConversationAdministration Administration => _administration ??= services.GetRequiredService<ConversationAdministration>();

    public ReceiptService Receipts => _receipts ??= services.GetRequiredService<ReceiptService>();
}
