using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Realtime.Client;
using Realtime.Tests.Infrastructure;
using Realtime.Client.Sync;
using Realtime.Contracts;

namespace Realtime.Tests.Client;

/// <summary>
/// An application built only on the SDK: it records what <see cref="ChatSyncClient"/> hands it and sends
/// through it, with no resync code of its own.
/// </summary>
internal sealed class SyncedUser : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<MessageDto>> _log = new(StringComparer.Ordinal);
    private readonly List<ChatEvent> _events = [];
    private readonly HttpClient _http;
    private readonly Task _reading;
    private readonly ILoggerFactory _loggers;
    private int _tokenCalls;
    private int _acknowledged;

    private SyncedUser(string userId, Uri server, ChatProtocol protocol, Func<CancellationToken, ValueTask>? tokenGate, IReadOnlyDictionary<string, SyncPosition>? positions)
    {
        UserId = userId;
        _http = new HttpClient { BaseAddress = server };
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Sync = ChatSyncClient.Create(
            server,
            async cancellationToken =>
            {
                Interlocked.Increment(ref _tokenCalls);
                if (tokenGate is not null)
                {
                    await tokenGate(cancellationToken);
                }

                using var response = await _http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest(userId), cancellationToken);
                response.EnsureSuccessStatusCode();
                return (await response.Content.ReadFromJsonAsync<DevTokenResponse>(cancellationToken))!.AccessToken;
            },
            new ChatSyncOptions
            {
                Protocol = protocol, FirstSyncStart = HistoryStart.Beginning, Positions = positions ?? new Dictionary<string, SyncPosition>(), MaxReconnectDelay = TimeSpan.FromSeconds(1), PageSize = 7,
                ConfigureConnection = builder => builder.Services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Information)),
            },
            _loggers);
        _reading = ReadAsync();
    }

    public string UserId { get; }

    public ChatSyncClient Sync { get; }

    /// <summary>What the SDK and its SignalR connection logged, for a failure's report.</summary>
    public LogCapture Logs { get; } = new(timestamps: true);

    public int TokenCalls => Volatile.Read(ref _tokenCalls);

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    public IReadOnlyList<ChatEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <param name="tokenGate">Awaited at every token request, so a test can keep the user away.</param>
    /// <param name="positions">Where a previous run stood.</param>
    public static async Task<SyncedUser> ConnectAsync(
        Uri server, string userId, ChatProtocol protocol, Func<CancellationToken, ValueTask>? tokenGate = null, IReadOnlyDictionary<string, SyncPosition>? positions = null)
    {
        var user = new SyncedUser(userId, server, protocol, tokenGate, positions);
        await user.Sync.StartAsync();
        return user;
    }

    /// <summary>What the SDK handed the application for one conversation, in the order it did, each message in its latest state.</summary>
    public IReadOnlyList<MessageDto> LogOf(string conversationId)
    {
        lock (_gate)
        {
            return _log.TryGetValue(conversationId, out var log) ? [.. log] : [];
        }
    }

    public IReadOnlyList<ConnectionState> States => [.. Events.OfType<ConnectionStateChanged>().Select(e => e.State)];

    /// <summary>
    /// Sends to a random followed conversation every few hundred milliseconds until <paramref name="stop"/>;
    /// now and then edits, deletes or reacts to a message instead, so the log has changes as well as messages.
    /// </summary>
    public async Task ChatAsync(CancellationToken stop)
    {
        var sent = new List<MessageDto>();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var followed = Sync.Positions.Keys.Order(StringComparer.Ordinal).ToList();
            if (followed.Count > 0)
            {
                try
                {
                    if (n % 4 == 3 && sent.Count > 0)
                    {
                        await ChangeAsync(sent[Random.Shared.Next(sent.Count)], n);
                    }
                    else
                    {
                        sent.Add(await Sync.SendAsync(followed[Random.Shared.Next(followed.Count)], $"message {n} from {UserId}", CancellationToken.None));
                        Interlocked.Increment(ref _acknowledged);
                    }
                }
                catch (HubException exception) when (exception.Message.StartsWith(ChatErrorCodes.NotAMember, StringComparison.Ordinal)
                    || exception.Message.StartsWith(ChatErrorCodes.InvalidArgument, StringComparison.Ordinal))
                {
                    // Removed from it a moment ago, or the message was deleted.
                }
            }

            await Task.Delay(Random.Shared.Next(200, 400), CancellationToken.None);
        }
    }

    private async Task ChangeAsync(MessageDto message, int n)
    {
        try
        {
            _ = (n / 4 % 3) switch
            {
                0 => await Sync.Hub.EditMessage(message.ConversationId, message.Id, $"{message.Content} (edit {n})"),
                1 => await Sync.Hub.React(message.ConversationId, message.Id, n % 8 == 3 ? "🎉" : "👍", add: true),
                _ => await Sync.Hub.DeleteMessage(message.ConversationId, message.Id),
            };
        }
        catch (Exception exception) when (exception is not HubException hub || CutOffOrRefusedForNow(hub))
        {
            // Cut off by a fault: it may or may not have been stored; the server's log says which.
        }
    }

    /// <summary>
    /// A change refused for now, or never answered because the server closed the connection with an error
    /// (SignalR fails the calls in flight with a HubException in its own words then), as a draining node does.
    /// </summary>
    private static bool CutOffOrRefusedForNow(HubException exception) =>
        exception.Message.StartsWith(ChatErrorCodes.Unavailable, StringComparison.Ordinal)
        || exception.Message.StartsWith(ChatErrorCodes.RateLimited, StringComparison.Ordinal)
        || exception.Message.StartsWith("The server closed the connection", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await Sync.DisposeAsync();
        await _reading;
        _http.Dispose();
        _loggers.Dispose();
    }

    private async Task ReadAsync()
    {
        await foreach (var chatEvent in Sync.ReadEventsAsync())
        {
            lock (_gate)
            {
                _events.Add(chatEvent);
                if (chatEvent is MessageEvent { Message: var message })
                {
                    if (!_log.TryGetValue(message.ConversationId, out var log))
                    {
                        _log[message.ConversationId] = log = [];
                    }

                    log.Add(message);
                }
                else if (chatEvent is MessageChanged { Message: var changed } && _log.TryGetValue(changed.ConversationId, out var held))
                {
                    // A new state of a message the application holds replaces it in place.
                    held[held.FindIndex(m => m.Id == changed.Id)] = changed;
                }
            }
        }
    }
}
