using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>What the server sends, turned into the sync layer's input and the application's events.</summary>
internal sealed class SyncReceiver(ConversationSync sync, CancellationToken lifetime) : IChatClient
{
    public Task MessageReceived(MessageDto message)
    {
        sync.AcceptLive(message, lifetime);
        return Task.CompletedTask;
    }

    public Task MessageUpdated(MessageDto message)
    {
        sync.AcceptLive(message, lifetime);
        return Task.CompletedTask;
    }

    public Task ConversationUpdated(ConversationDto conversation)
    {
        sync.ConversationUpdated(conversation, lifetime);
        return Task.CompletedTask;
    }

    public Task ReadReceiptUpdated(ReadReceiptDto receipt) => Publish(new ReadReceiptEvent(receipt));

    public Task TypingChanged(TypingDto typing) => Publish(new TypingEvent(typing));

    public Task PresenceChanged(PresenceDto presence) => Publish(new PresenceEvent(presence));

    public Task Notified(NotificationDto notification) => Publish(new NotificationEvent(notification));

    public Task ProgressChanged(ProgressDto progress) => Publish(new ProgressEvent(progress));

    private Task Publish(ChatEvent chatEvent)
    {
        sync.Publish(chatEvent);
        return Task.CompletedTask;
    }
}
