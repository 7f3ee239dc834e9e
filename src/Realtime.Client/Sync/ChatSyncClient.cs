using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>
/// A chat connection that never misses a message: every message of every conversation the user is a
/// member of is handed to the application once, in order, through <see cref="ReadEventsAsync"/>,
/// across reconnects, node failures and server restarts. After any reconnect, and whenever live
/// delivery skips a sequence, it reads what is missing from the server by itself.
/// </summary>
public sealed class ChatSyncClient : IAsyncDisposable
{
    private readonly Channel<ChatEvent> _events = Channel.CreateUnbounded<ChatEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _lifetime;
    private readonly ChatSyncOptions _options;
    private readonly EndlessRetryPolicy _retry;
    private readonly ConversationSync _sync;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private TaskCompletionSource _online = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionState _state = ConnectionState.Disconnected;
    private int _epoch;
    private bool _stopping;

    private ChatSyncClient(ChatClient hub, ChatSyncOptions options, EndlessRetryPolicy retry, CancellationTokenSource lifetime, ILogger logger)
    {
        Hub = hub;
        _lifetime = lifetime;
        _options = options;
        _retry = retry;
        _logger = logger;
        _sync = new ConversationSync(hub, options, _events.Writer, logger);
        hub.RegisterReceiver(new SyncReceiver(_sync, _lifetime.Token));
        hub.Connection.Reconnecting += OnReconnecting;
        hub.Connection.Reconnected += OnReconnected;
        hub.Connection.Closed += OnClosed;
    }

    /// <summary>The typed hub client, for every call the sync layer does not wrap (creating conversations, receipts, ...).</summary>
    public ChatClient Hub { get; }

    public ConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Where each followed conversation stands; pass it as <see cref="ChatSyncOptions.Positions"/> to resume after a restart.</summary>
    public IReadOnlyDictionary<string, SyncPosition> Positions => _sync.Positions;

    /// <param name="serverUrl">The server's base address; the hub path is appended.</param>
    /// <param name="accessTokenProvider">Called at every connect and reconnect, so a refreshed token is picked up.</param>
    public static ChatSyncClient Create(
        Uri serverUrl,
        Func<CancellationToken, ValueTask<string?>> accessTokenProvider,
        ChatSyncOptions? options = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(serverUrl);
        ArgumentNullException.ThrowIfNull(accessTokenProvider);
        options ??= new ChatSyncOptions();
        options.Validate();
        var retry = new EndlessRetryPolicy(options.MaxReconnectDelay);
        var lifetime = new CancellationTokenSource();
        var hub = ChatClient.Create(
            serverUrl,
            async () => await accessTokenProvider(lifetime.Token).ConfigureAwait(false),
            options.Protocol,
            retry,
            options.ConfigureConnection);
        return new ChatSyncClient(hub, options, retry, lifetime, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ChatSyncClient>());
    }

    /// <summary>
    /// Everything the application should see, in order: connection states, conversations joined and left,
    /// each message once. One reader at a time; it ends when the client is disposed.
    /// </summary>
    public IAsyncEnumerable<ChatEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => _events.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Connects and syncs every conversation of the user; fails if the first connection fails.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var epoch = SetState(ConnectionState.Connecting, null, newEpoch: false);
        try
        {
            await Hub.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            SetState(ConnectionState.Disconnected, null, newEpoch: false);
            throw;
        }

        await ResyncAsync(epoch, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _stopping = true;
        }

        await Hub.StopAsync(cancellationToken).ConfigureAwait(false);
        SetState(ConnectionState.Disconnected, null, newEpoch: true);
    }

    /// <summary>
    /// Sends a message and returns it once the server has stored it. A send cut off by a lost connection, or
    /// refused as unavailable or rate limited, is sent again with the same client id (so it is stored once)
    /// until it is acknowledged or <paramref name="cancellationToken"/> ends it.
    /// </summary>
    public async Task<MessageDto> SendAsync(string conversationId, string content, CancellationToken cancellationToken = default)
    {
        var clientMessageId = Guid.NewGuid().ToString("N");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        while (true)
        {
            Task online;
            lock (_gate)
            {
                online = _online.Task;
            }

            await online.WaitAsync(linked.Token).ConfigureAwait(false);
            try
            {
                var message = await Hub.SendMessage(conversationId, clientMessageId, content, linked.Token).ConfigureAwait(false);
                _sync.AcceptLive(message, _lifetime.Token);
                return message;
            }
            catch (HubException exception) when (ErrorCode.IsTransient(exception))
            {
                var code = ErrorCode.Of(exception);
                SyncLog.SendRetried(_logger, conversationId, code);
            }
            catch (Exception exception) when (exception is not HubException && !linked.IsCancellationRequested)
            {
                // The outcome is unknown; the same client id again returns the original if it was stored.
                SyncLog.SendRetried(_logger, conversationId, "connection lost");
            }

            await Task.Delay(_options.RetryDelay, linked.Token).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _stopping = true;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        await Hub.DisposeAsync().ConfigureAwait(false);
        SetState(ConnectionState.Disconnected, null, newEpoch: true);
        _events.Writer.TryComplete();
        _sync.Dispose();
        _lifetime.Dispose();
    }

    private Task OnReconnecting(Exception? error)
    {
        SyncLog.Reconnecting(_logger, error);
        SetState(ConnectionState.Reconnecting, error, newEpoch: true);
        return Task.CompletedTask;
    }

    private Task OnReconnected(string? connectionId)
    {
        var epoch = CurrentEpoch();
        _ = ResyncAsync(epoch, _lifetime.Token);
        return Task.CompletedTask;
    }

    private Task OnClosed(Exception? error)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return Task.CompletedTask;
            }
        }

        // SignalR gives up when the server closes without allowing a reconnect; this client does not.
        SyncLog.Closed(_logger, error);
        var epoch = SetState(ConnectionState.Reconnecting, error, newEpoch: true);
        _ = RestartAsync(epoch, _lifetime.Token);
        return Task.CompletedTask;
    }

    private async Task RestartAsync(int epoch, CancellationToken cancellationToken)
    {
        for (long attempt = 0; CurrentEpoch() == epoch; attempt++)
        {
            try
            {
                await Task.Delay(_retry.Delay(attempt), cancellationToken).ConfigureAwait(false);
                await Hub.StartAsync(cancellationToken).ConfigureAwait(false);
                await ResyncAsync(epoch, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                SyncLog.RestartFailed(_logger, attempt, exception);
            }
        }
    }

    /// <summary>Reads back what was missed; the application sees Resyncing, then Connected once it is all in.</summary>
    private async Task ResyncAsync(int epoch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _online.TrySetResult();
        }

        while (CurrentEpoch() == epoch && !cancellationToken.IsCancellationRequested)
        {
            SetState(ConnectionState.Resyncing, null, newEpoch: false);
            SyncLog.Resyncing(_logger);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var (conversations, messages) = await _sync.SyncAsync(cancellationToken).ConfigureAwait(false);
                SyncLog.Resynced(_logger, conversations, messages, clock.ElapsedMilliseconds);
                lock (_gate)
                {
                    if (_epoch != epoch)
                    {
                        return;
                    }

                    _sync.Publish(new ResyncCompleted(conversations, messages, clock.Elapsed));
                }

                SetState(ConnectionState.Connected, null, newEpoch: false);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                SyncLog.ResyncInterrupted(_logger, exception);
                if (Hub.State != HubConnectionState.Connected)
                {
                    // The reconnect that follows resyncs again.
                    return;
                }

                await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private int CurrentEpoch()
    {
        lock (_gate)
        {
            return _epoch;
        }
    }

    /// <returns>The connection epoch after the change: a new one starts whenever the connection is lost.</returns>
    private int SetState(ConnectionState state, Exception? error, bool newEpoch)
    {
        lock (_gate)
        {
            if (newEpoch)
            {
                _epoch++;
                if (_online.Task.IsCompleted)
                {
                    _online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            if (_state != state)
            {
                _state = state;
                _sync.Publish(new ConnectionStateChanged(state, error));
            }

            return _epoch;
        }
    }
}
