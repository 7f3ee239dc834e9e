namespace Realtime.Contracts;

/// <summary>Server-to-client calls. Method names are wire names.</summary>
public interface IChatClient
{
    Task MessageReceived(MessageDto message);

    /// <summary>An edit, a delete or a reaction change: the message in its new state (contract v2).</summary>
    Task MessageUpdated(MessageDto message);

    Task ReadReceiptUpdated(ReadReceiptDto receipt);

    Task TypingChanged(TypingDto typing);

    Task PresenceChanged(PresenceDto presence);

    Task ConversationUpdated(ConversationDto conversation);

    Task Notified(NotificationDto notification);

    Task ProgressChanged(ProgressDto progress);
}
