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
    private readonly ConnectionStatus _status;

    private ChatSyncClient(ChatClient hub, ChatSyncOptions options, EndlessRetryPolicy retry, CancellationTokenSource lifetime, ILogger logger)
    {
        Hub = hub;
        _lifetime = lifetime;
        _options = options;
        _retry = retry;
        _logger = logger;
        _sync = new ConversationSync(hub, options, _events.Writer, logger);
        _status = new ConnectionStatus(_sync);
        hub.RegisterReceiver(new SyncReceiver(_sync, _lifetime.Token));
        hub.Connection.Reconnecting += OnReconnecting;
        hub.Connection.Reconnected += OnReconnected;
        hub.Connection.Closed += OnClosed;
    }

    /// <summary>The typed hub client, for every call the sync layer does not wrap (creating conversations, receipts, ...).</summary>
    public ChatClient Hub { get; }

    public ConnectionState State => _status.State;

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
        var epoch = _status.Set(ConnectionState.Connecting);
        try
        {
            await Hub.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _status.Set(ConnectionState.Disconnected);
            throw;
        }

        await ResyncAsync(epoch, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _status.Stop();
        await Hub.StopAsync(cancellationToken).ConfigureAwait(false);
        _status.Set(ConnectionState.Disconnected, lost: true);
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
            await _status.Online.WaitAsync(linked.Token).ConfigureAwait(false);
            try
            {
                var message = await Hub.SendMessage(conversationId, clientMessageId, content, linked.Token).ConfigureAwait(false);
                _sync.AcceptLive(message, _lifetime.Token);
                return message;
            }
            catch (HubException exception) when (ErrorCode.IsRetryable(exception) && !linked.IsCancellationRequested)
            {
                SyncLog.SendRetried(_logger, conversationId, ErrorCode.IsConnectionClosed(exception) ? "connection closed by the server" : ErrorCode.Of(exception));
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
        _status.Stop();
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await Hub.DisposeAsync().ConfigureAwait(false);
        _status.Set(ConnectionState.Disconnected, lost: true);
        _events.Writer.TryComplete();
        _sync.Dispose();
        _lifetime.Dispose();
    }

    private Task OnReconnecting(Exception? error)
    {
        SyncLog.Reconnecting(_logger, error);
        _status.Set(ConnectionState.Reconnecting, error, lost: true);
        return Task.CompletedTask;
    }

    private Task OnReconnected(string? connectionId)
    {
        _ = ResyncAsync(_status.Epoch, _lifetime.Token);
        return Task.CompletedTask;
    }

    private Task OnClosed(Exception? error)
    {
        if (_status.Stopping)
        {
            return Task.CompletedTask;
        }

        // SignalR gives up when the server closes without allowing a reconnect; this client does not.
        SyncLog.Closed(_logger, error);
        var epoch = _status.Set(ConnectionState.Reconnecting, error, lost: true);
        _ = RestartAsync(epoch, _lifetime.Token);
        return Task.CompletedTask;
    }

    private async Task RestartAsync(int epoch, CancellationToken cancellationToken)
    {
        for (long attempt = 0; _status.Epoch == epoch; attempt++)
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
        _status.Connected();

        while (_status.Epoch == epoch && !cancellationToken.IsCancellationRequested)
        {
            _status.Set(ConnectionState.Resyncing);
            SyncLog.Resyncing(_logger);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var (conversations, messages) = await _sync.SyncAsync(cancellationToken).ConfigureAwait(false);
                SyncLog.Resynced(_logger, conversations, messages, clock.ElapsedMilliseconds);
                _status.ResyncCompleted(epoch, new ResyncCompleted(conversations, messages, clock.Elapsed));
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
}
