using System.Collections.Concurrent;
using Realtime.Contracts;
using Realtime.Server.Delivery;

namespace Realtime.Tests.Persistence;

/// <summary>Stands in for the SignalR side where the persistence contract alone is under test; it records what would be pushed.</summary>
internal sealed class RecordingNotifier : IChatNotifier
{
    public ConcurrentQueue<MessageDto> Messages { get; } = new();

    public ConcurrentQueue<ReadReceiptDto> Receipts { get; } = new();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public Task LogChangedAsync(IReadOnlyList<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            Entries.Enqueue(entry);
            if (!entry.IsUpdate)
            {
                Messages.Enqueue(entry.Message);
            }
        }

        return Task.CompletedTask;
    }

    public Task ReadReceiptUpdatedAsync(ReadReceiptDto receipt)
    {
        Receipts.Enqueue(receipt);
        return Task.CompletedTask;
    }

    public Task TypingChangedAsync(TypingDto typing) => Task.CompletedTask;

    public Task PresenceChangedAsync(IReadOnlyCollection<string> audienceUserIds, PresenceDto presence) => Task.CompletedTask;

    public Task PresenceChangedAsync(ConversationPresence change) => Task.CompletedTask;

    public Task MembershipChangedAsync(MembershipChange change) => Task.CompletedTask;

    public Task NotifyAsync(NotificationAudience audience, NotificationDto notification) => Task.CompletedTask;

    public Task ProgressChangedAsync(string userId, ProgressDto progress) => Task.CompletedTask;
}
