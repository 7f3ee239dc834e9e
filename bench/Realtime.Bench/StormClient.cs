using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Realtime.Client;
using Realtime.Client.Sync;

namespace Realtime.Bench;

/// <summary>
/// One user of the reconnect storm on the .NET sync client: follows its one conversation, checks that
/// the messages it is handed run 1, 2, 3, ... with nothing skipped or repeated, and notes when it came
/// back after the kill and when it had everything acknowledged before the kill.
/// </summary>
internal sealed class StormClient : IAsyncDisposable
{
    private readonly Stopwatch _clock;
    private readonly StormErrors _errors;
    private readonly FailoverConnectionFactory[] _factory = new FailoverConnectionFactory[1];
    private Task? _reading;
    private long _target = long.MaxValue;
    private bool _resyncedAfterKill;
    private bool _lostToKill;
    private bool _killed;

    public StormClient(int index, IReadOnlyList<Uri> nodes, string token, Stopwatch clock, StormErrors errors, ILoggerFactory logs)
    {
        Index = index;
        _clock = clock;
        _errors = errors;
        var order = FailoverConnectionFactory.OrderFor(index, nodes.Count);
        Sync = ChatSyncClient.Create(nodes[order[0]], _ => ValueTask.FromResult<string?>(token), new ChatSyncOptions
        {
            Protocol = ChatProtocol.MessagePack,
            FirstSyncStart = HistoryStart.Beginning,
            ConfigureConnection = builder => builder.Services.AddSingleton<IConnectionFactory>(services => _factory[0] = FailoverConnectionFactory.Create(services, nodes, order)),
        }, logs);
    }

    public int Index { get; }

    public ChatSyncClient Sync { get; }

    public int Node => _factory[0]?.Current ?? -1;

    /// <summary>The highest sequence handed on so far, every one below it handed on once.</summary>
    public long Last { get; private set; }

    public int Gaps { get; private set; }

    /// <summary>When (on the run's clock) it was connected and resynced again after the kill.</summary>
    public TimeSpan? BackAt { get; private set; }

    /// <summary>When it had every message acknowledged before the kill, having come back if it was cut off.</summary>
    public TimeSpan? CaughtUpAt { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Sync.StartAsync(cancellationToken);
        _reading = Task.Run(ReadAsync, CancellationToken.None);
    }

    /// <summary>The node died: from now on the client counts as caught up once it holds <paramref name="target"/>.</summary>
    public void Killed(long target, bool cutOff)
    {
        lock (this)
        {
            _target = target;
            _killed = true;
            _resyncedAfterKill = !cutOff;
            Check();
        }
    }

    private async Task ReadAsync()
    {
        await foreach (var chatEvent in Sync.ReadEventsAsync())
        {
            lock (this)
            {
                switch (chatEvent)
                {
                    case MessageEvent { Message: var message }:
                        if (message.Sequence != Last + 1)
                        {
                            Gaps++;
                        }

                        Last = Math.Max(Last, message.Sequence);
                        break;
                    case ConnectionStateChanged { State: ConnectionState.Reconnecting, Error: var error } when _killed:
                        // The first loss after the kill is the kill itself; anything after it is an error of the storm.
                        if (_lostToKill && error is not null)
                        {
                            _errors.Add("connection lost: " + StormErrors.Of(error));
                        }

                        _lostToKill = true;
                        _resyncedAfterKill = false;
                        break;
                    case ResyncCompleted when _killed && !_resyncedAfterKill:
                        _resyncedAfterKill = true;
                        BackAt ??= _clock.Elapsed;
                        break;
                }

                Check();
            }
        }
    }

    private void Check()
    {
        if (CaughtUpAt is null && _resyncedAfterKill && Last >= _target)
        {
            CaughtUpAt = _clock.Elapsed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Sync.DisposeAsync();
        if (_reading is not null)
        {
            await _reading;
        }
    }
}
