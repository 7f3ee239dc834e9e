using Realtime.Contracts;

namespace Realtime.Tests.Infrastructure;

/// <summary>Records every server-to-client call in arrival order and lets a test await a condition on them.</summary>
public sealed class RecordingReceiver : IChatClient
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly List<object> _events = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<object> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<T> Of<T>() => All.OfType<T>().ToList();

    public IReadOnlyList<MessageDto> Messages(string conversationId) =>
        Of<MessageDto>().Where(m => m.ConversationId == conversationId).ToList();

    public IReadOnlyList<MessageDto> Updates(string conversationId) =>
        Of<MessageUpdate>().Select(u => u.Message).Where(m => m.ConversationId == conversationId).ToList();

    /// <summary>Every <c>MessageReceived</c> and <c>MessageUpdated</c> of a conversation, in arrival order.</summary>
    public IReadOnlyList<MessageDto> Log(string conversationId) =>
        All.Select(e => e switch { MessageDto m => m, MessageUpdate u => u.Message, _ => null })
            .Where(m => m?.ConversationId == conversationId).Select(m => m!).ToList();

    /// <summary>Waits until the recorded events satisfy <paramref name="condition"/>; fails the test on timeout.</summary>
    public async Task WaitUntilAsync(Func<RecordingReceiver, bool> condition, string because, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting until {because}. Received: {string.Join(", ", All.Select(e => e.GetType().Name))}");
            }
        }
    }

    public async Task<T> WaitForAsync<T>(Func<T, bool> predicate, string because, TimeSpan? timeout = null)
    {
        T? found = default;
        await WaitUntilAsync(r => (found = r.Of<T>().FirstOrDefault(predicate)) is not null, because, timeout);
        return found!;
    }

    public Task<MessageDto> WaitForMessageAsync(string conversationId, long sequence) =>
        WaitForAsync<MessageDto>(m => m.ConversationId == conversationId && m.Sequence == sequence, $"message {sequence} of {conversationId} arrives");

    public Task MessageReceived(MessageDto message) => Record(message);

    public Task MessageUpdated(MessageDto message) => Record(new MessageUpdate(message));

    public Task ReadReceiptUpdated(ReadReceiptDto receipt) => Record(receipt);

    public Task TypingChanged(TypingDto typing) => Record(typing);

    public Task PresenceChanged(PresenceDto presence) => Record(presence);

    public Task ConversationUpdated(ConversationDto conversation) => Record(conversation);

    public Task Notified(NotificationDto notification) => Record(notification);

    public Task ProgressChanged(ProgressDto progress) => Record(progress);

    private Task Record(object @event)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _events.Add(@event);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return Task.CompletedTask;
    }
}

/// <summary>A <c>MessageUpdated</c> call, told apart from a <c>MessageReceived</c> one.</summary>
public sealed record MessageUpdate(MessageDto Message);
