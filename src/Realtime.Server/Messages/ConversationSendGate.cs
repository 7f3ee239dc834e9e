namespace Realtime.Server.Messages;

/// <summary>
/// Serialises appends to one conversation within this node, from sequence allocation through
/// delivery, so this node hands messages to SignalR in sequence order. Different conversations
/// never wait for each other. Across nodes the database orders the writes and clients order by
/// <c>sequence</c>, filling any hole with <c>GetMessages</c>.
/// </summary>
public sealed class ConversationSendGate
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public async Task<IDisposable> EnterAsync(string conversationId)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(conversationId, out entry!))
            {
                _entries[conversationId] = entry = new Entry();
            }

            entry.Users++;
        }

        await entry.Semaphore.WaitAsync();
        return new Releaser(this, conversationId, entry);
    }

    private void Exit(string conversationId, Entry entry)
    {
        entry.Semaphore.Release();
        lock (_gate)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(conversationId);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Releaser(ConversationSendGate owner, string conversationId, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Exit(conversationId, entry);
            }
        }
    }
}
