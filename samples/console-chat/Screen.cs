using System.Collections.Concurrent;
using Realtime.Contracts;

namespace Realtime.ConsoleChat;

/// <summary>Prints what the server sends, one line per event, in a stable format scripts can read.</summary>
internal sealed class Screen(string me) : IChatClient, IDisposable
{
    private readonly ConcurrentDictionary<(string ConversationId, long Sequence), MessageDto> _seen = new();
    private readonly SemaphoreSlim _arrivals = new(0);
    private readonly Lock _output = new();

    public string? Open { get; set; }

    public void Say(string line)
    {
        lock (_output)
        {
            Console.WriteLine(line);
        }
    }

    public long LastSequence(string conversationId) =>
        _seen.Keys.Where(k => k.ConversationId == conversationId).Select(k => k.Sequence).DefaultIfEmpty(0).Max();

    public async Task<bool> WaitForMessagesFromOthersAsync(int count, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            while (_seen.Values.Count(m => m.SenderId != me && m.ConversationId == Open) < count)
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

    public Task MessageUpdated(MessageDto message)
    {
        Say(message.DeletedAt is null ? $"#{message.Sequence} {message.SenderId} (edited): {message.Content}" : $"#{message.Sequence} {message.SenderId}: (deleted)");
        return Task.CompletedTask;
    }

    public Task MessageReceived(MessageDto message)
    {
        // The sender's own connections receive its messages too; each is printed once.
        if (_seen.TryAdd((message.ConversationId, message.Sequence), message))
        {
            Say($"#{message.Sequence} {message.SenderId}: {message.Content}");
            _arrivals.Release();
        }

        return Task.CompletedTask;
    }

    public Task ReadReceiptUpdated(ReadReceiptDto receipt)
    {
        if (receipt.UserId != me)
        {
            Say($"{receipt.UserId} read up to #{receipt.LastReadSequence}");
        }

        return Task.CompletedTask;
    }

    public Task TypingChanged(TypingDto typing)
    {
        if (typing.IsTyping)
        {
            Say($"{typing.UserId} is typing...");
        }

        return Task.CompletedTask;
    }

    public Task PresenceChanged(PresenceDto presence)
    {
        Say($"{presence.UserId} is {(presence.IsOnline ? "online" : "offline")}");
        return Task.CompletedTask;
    }

    public Task ConversationUpdated(ConversationDto conversation)
    {
        Say($"conversation {conversation.Id} {conversation.Title} [{string.Join(",", conversation.MemberIds)}]");
        return Task.CompletedTask;
    }

    public Task Notified(NotificationDto notification)
    {
        Say($"notice {notification.Kind}: {notification.Title} - {notification.Body}");
        return Task.CompletedTask;
    }

    public Task ProgressChanged(ProgressDto progress)
    {
        Say($"progress {progress.OperationId} {progress.Percent}% {progress.Status}");
        return Task.CompletedTask;
    }
}
