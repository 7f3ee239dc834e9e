using Realtime.Client.Sync;
using Realtime.Contracts;

namespace Realtime.ConsoleChat;

/// <summary>Prints what the sync layer hands the application, one line per event, in a format scripts can read.</summary>
internal sealed class Screen(string me, Catalogue catalogue) : IDisposable
{
    private readonly SemaphoreSlim _arrivals = new(0);
    private readonly Lock _output = new();
    private readonly Dictionary<string, int> _fromOthers = new(StringComparer.Ordinal);
    private bool _reconnected;

    public string? Open { get; set; }

    public void Say(string line)
    {
        lock (_output)
        {
            Console.WriteLine(line);
        }
    }

    public async Task ShowAsync(IAsyncEnumerable<ChatEvent> events, CancellationToken cancellationToken)
    {
        await foreach (var chatEvent in events.WithCancellation(cancellationToken))
        {
            Show(chatEvent);
        }
    }

    public async Task<bool> WaitForMessagesFromOthersAsync(int count, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            while (FromOthers(Open) < count)
            {
                await _arrivals.WaitAsync(cancellation.Token);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _arrivals.Dispose();

    private int FromOthers(string? conversationId)
    {
        lock (_output)
        {
            return conversationId is null ? 0 : _fromOthers.GetValueOrDefault(conversationId);
        }
    }

    private void Show(ChatEvent chatEvent)
    {
        switch (chatEvent)
        {
            case MessageEvent { Message: var message }:
                ShowMessage(message);
                break;
            case MessageChanged { Message: var message }:
                var change = message.DeletedAt is null ? $"(edited) {message.Content}" : "(deleted)";
                Say($"{Where(message)}#{message.Sequence} {message.SenderId} {change}");
                break;
            case ConversationJoined { Conversation: var conversation }:
                catalogue.Put(conversation);
                Say($"you are in {catalogue.Name(conversation.Id)} with {Others(conversation)}");
                break;
            case ConversationChanged { Conversation: var conversation }:
                catalogue.Put(conversation);
                Say($"{catalogue.Name(conversation.Id)} now has {string.Join(", ", conversation.MemberIds)}");
                break;
            case ConversationLeft { ConversationId: var id }:
                Say($"you left {catalogue.Name(id)}");
                catalogue.Remove(id);
                Open = Open == id ? null : Open;
                break;
            case ConnectionStateChanged { State: var state }:
                ShowState(state);
                break;
            case ResyncCompleted resync when _reconnected:
                Say($"resynced: {Plural(resync.Messages, "missed message")} in {Plural(resync.Conversations, "conversation")}");
                break;
            case ReadReceiptEvent { Receipt: var receipt } when receipt.UserId != me:
                Say($"{receipt.UserId} read {catalogue.Name(receipt.ConversationId)} up to #{receipt.LastReadSequence}");
                break;
            case TypingEvent { Typing: { IsTyping: true } typing } when typing.ConversationId == Open:
                Say($"{typing.UserId} is typing...");
                break;
            case PresenceEvent { Presence: var presence }:
                Say($"{presence.UserId} is {(presence.IsOnline ? "online" : "offline")}");
                break;
            case NotificationEvent { Notification: var notification }:
                Say($"notice {notification.Kind}: {notification.Title} - {notification.Body}");
                break;
            case ProgressEvent { Progress: var progress }:
                Say($"progress {progress.OperationId} {progress.Percent}% {progress.Status}");
                break;
        }
    }

    private void ShowMessage(MessageDto message)
    {
        Say($"{Where(message)}#{message.Sequence} {message.SenderId}: {(message.DeletedAt is null ? message.Content : "(deleted)")}");
        if (message.SenderId != me)
        {
            lock (_output)
            {
                _fromOthers[message.ConversationId] = _fromOthers.GetValueOrDefault(message.ConversationId) + 1;
            }

            _arrivals.Release();
        }
    }

    // Messages of the open conversation plainly; the others with their conversation in front.
    private string Where(MessageDto message) => message.ConversationId == Open ? string.Empty : $"[{catalogue.Name(message.ConversationId)}] ";

    private void ShowState(ConnectionState state)
    {
        switch (state)
        {
            case ConnectionState.Reconnecting:
                _reconnected = true;
                Say("connection lost; reconnecting...");
                break;
            case ConnectionState.Resyncing when _reconnected:
                Say("reconnected; resyncing...");
                break;
            case ConnectionState.Connected when _reconnected:
                Say("back online");
                break;
        }
    }

    private string Others(ConversationDto conversation) =>
        conversation.MemberIds.Count == 1 ? "nobody else yet" : string.Join(", ", conversation.MemberIds.Where(m => m != me));

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
