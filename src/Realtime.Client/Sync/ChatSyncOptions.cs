using Microsoft.AspNetCore.SignalR.Client;

namespace Realtime.Client.Sync;

/// <summary>Where the first sync starts a conversation the application holds no position for.</summary>
public enum HistoryStart
{
    /// <summary>At the conversation's last message: only what comes after it is handed on.</summary>
    Latest,

    /// <summary>At its first message: the whole log is read and handed on.</summary>
    Beginning,
}

public sealed class ChatSyncOptions
{
    public ChatProtocol Protocol { get; set; } = ChatProtocol.Json;

    /// <summary>
    /// Where each conversation stood in a previous run (<see cref="ChatSyncClient.Positions"/>); those
    /// conversations resume after it. Conversations that appear later always start at their beginning.
    /// </summary>
    public IReadOnlyDictionary<string, SyncPosition> Positions { get; set; } = new Dictionary<string, SyncPosition>();

    /// <summary>For the first sync's conversations that are not in <see cref="Positions"/>.</summary>
    public HistoryStart FirstSyncStart { get; set; } = HistoryStart.Latest;

    /// <summary>Changes per <c>GetChanges</c> page (the server may clamp it lower; paging goes on until complete).</summary>
    public int PageSize { get; set; } = 200;

    /// <summary>Conversations read at the same time during a resync.</summary>
    public int MaxConcurrentReads { get; set; } = 4;

    /// <summary>The longest wait between reconnect attempts; attempts never stop.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before a read or send the server refused as <c>unavailable</c> or <c>rate_limited</c> is tried again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Last word on the SignalR connection (transports, logging, stateful reconnect).</summary>
    public Action<IHubConnectionBuilder>? ConfigureConnection { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Positions);
        ArgumentOutOfRangeException.ThrowIfLessThan(PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PageSize, 10_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentReads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrentReads, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReconnectDelay, TimeSpan.FromMilliseconds(100));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.FromMilliseconds(10));
        if (Positions.Values.Any(p => p.Sequence < 0 || p.Revision < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Positions), "positions are 0 or more.");
        }
    }
}
