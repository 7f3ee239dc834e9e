using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>
/// The connect scenarios (issue 24): C clients connect at once and are in their conversations, on Realtime
/// and on the plain SignalR hub. Realtime's clients are returning users: their conversations exist and each
/// holds its token before the clock starts, so the wave times what the server does for a connect (token
/// validation, negotiate, the WebSocket upgrade, OnConnectedAsync's memberships, groups and presence).
/// A plain SignalR client connects and calls JoinGroup. A client counts as set up once a call it makes
/// after the handshake has come back: SignalR runs no call before OnConnectedAsync has finished.
/// </summary>
internal static class ConnectRun
{
    private const int InFlight = 32;
    private const int WarmUpClients = 100;
    private const string Content = "benchmark message of a typical chat length, about sixty bytes";

    // Realtime's barrier: a method no hub has. It is refused without touching the hub, and only once
    // OnConnectedAsync is done, so its answer marks the moment the client is in every conversation.
    private const string Barrier = "ConnectBarrier";

    public static async Task<Measurements> RealtimeAsync(BenchOptions options, ServerProcess server)
    {
        var measured = new Measurements("Realtime (connect and join)");
        using var negotiation = options.PooledNegotiation ? new SharedNegotiation() : null;
        using var http = new HttpClient { BaseAddress = server.Url };
        var run = Guid.NewGuid().ToString("N")[..6];
        string User(int i) => $"connect-{run}-{i}";
        var tokens = new string[options.Clients];
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Clients), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
        {
            using var response = await http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest(User(i)), cancellationToken);
            tokens[i] = (await response.Content.ReadFromJsonAsync<DevTokenResponse>(cancellationToken))!.AccessToken;
        });
        var conversations = new string?[options.Clients];
        for (var g = 0; g < options.Groups; g++)
        {
            var members = Members(options, g);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/conversations")
            {
                Content = JsonContent.Create(new CreateConversationRequest($"connect {g}", members.Skip(1).Select(User).ToList())),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[members[0]]);
            using var response = await http.SendAsync(request);
            var conversation = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<ConversationDto>())!;
            members.ForEach(i => conversations[i] = conversation.Id);
        }

        await WavesAsync(options, server, measured, conversations, async (i, cancellationToken) =>
        {
            var client = ChatClient.Create(server.Url, () => Task.FromResult<string?>(tokens[i]), ChatProtocol.MessagePack, configure: negotiation is null ? null : negotiation.Configure);
            var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.Connection.Closed += reason => Task.FromResult(closed.TrySetResult(reason));
            await client.StartAsync(cancellationToken);
            try
            {
                await client.Connection.InvokeCoreAsync(Barrier, [], cancellationToken);
            }
            catch (HubException) when (client.State == HubConnectionState.Connected)
            {
                // The refusal of the unknown method: the connect itself went through.
            }
            catch (Exception) when (client.State != HubConnectionState.Connected)
            {
                // Refused in OnConnectedAsync: the close message says why.
                var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                await client.DisposeAsync();
                throw new HubException(reason?.Message ?? "closed without a reason");
            }

            return client;
        }, (client, i) => client.SendMessage(conversations[i]!, Guid.NewGuid().ToString("N"), Content));
        return measured;
    }

    public static async Task<Measurements> PlainSignalRAsync(BenchOptions options, ServerProcess server)
    {
        var measured = new Measurements("plain SignalR (connect and JoinGroup)");
        using var negotiation = options.PooledNegotiation ? new SharedNegotiation() : null;
        var groups = new string?[options.Clients];
        for (var g = 0; g < options.Groups; g++)
        {
            Members(options, g).ForEach(i => groups[i] = $"connect {g}");
        }

        await WavesAsync(options, server, measured, groups, async (i, cancellationToken) =>
        {
            var client = ChatClient.Create(server.Url, () => Task.FromResult<string?>(null), ChatProtocol.MessagePack, configure: negotiation is null ? null : negotiation.Configure);
            await client.StartAsync(cancellationToken);
            if (groups[i] is { } group)
            {
                await client.Connection.InvokeAsync("JoinGroup", group, cancellationToken);
            }

            return client;
        }, (client, i) => client.Connection.InvokeAsync("SendMessage", groups[i], Guid.NewGuid().ToString("N"), Content));
        return measured;
    }

    private static List<int> Members(BenchOptions options, int group) =>
        Enumerable.Range(group * options.MembersPerGroup, options.MembersPerGroup).Where(i => i < options.Clients).ToList();

    /// <summary>
    /// A warm-up wave of the first clients (connect, then leave), so the measured wave does not time the
    /// JIT's first pass over the connect path (or --warm-waves whole waves); then every client at once, <see cref="InFlight"/> connects in
    /// flight; then one message in every conversation, which each of its members must receive.
    /// </summary>
    private static async Task WavesAsync(BenchOptions options, ServerProcess server, Measurements measured, string?[] joined,
        Func<int, CancellationToken, Task<ChatClient>> connect, Func<ChatClient, int, Task> send)
    {
        // --warm-waves K: K whole waves first, so the measured one meets a node that has served connects for a
        // while, as the nodes left after a crash have: its connect path compiled by the JIT's higher tier.
        for (var wave = 0; wave < Math.Max(1, options.WarmWaves); wave++)
        {
            var warm = await WaveAsync(options.WarmWaves > 0 ? options.Clients : Math.Min(WarmUpClients, options.Clients), connect, measured: null);
            await Task.WhenAll(warm.OfType<ChatClient>().Select(c => c.DisposeAsync().AsTask()));
            await Task.Delay(1000);
        }

        var started = Stopwatch.GetTimestamp();
        var cpu = server.ProcessorTime();
        var clients = await WaveAsync(options.Clients, connect, measured);
        measured.SetupTime = Stopwatch.GetElapsedTime(started);
        measured.ServerCpu = server.ProcessorTime() - cpu;

        // On Linux the stopwatch reads CLOCK_MONOTONIC, the clock of `perf record -k CLOCK_MONOTONIC`: this
        // window is what `perf report --time` takes to profile the measured wave alone.
        Console.Error.WriteLine(FormattableString.Invariant(
            $"measured wave, {measured.Name}: CLOCK_MONOTONIC {started / (double)Stopwatch.Frequency:F6},{Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency:F6}"));

        var received = 0;
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i]?.Connection.On<MessageDto>(nameof(IChatClient.MessageReceived), _ => Interlocked.Increment(ref received));
        }

        var expected = 0;
        for (var g = 0; g < options.Groups; g++)
        {
            var members = Members(options, g);
            expected += members.Count(i => clients[i] is not null);
            if (members.FirstOrDefault(i => clients[i] is not null) is var sender && clients[sender] is { } client && joined[sender] is not null)
            {
                await send(client, sender);
            }
        }

        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        while (Volatile.Read(ref received) < expected && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }

        if (expected - Volatile.Read(ref received) is > 0 and var missing)
        {
            measured.Errors.AddOrUpdate("not_delivered", missing, (_, n) => n + missing);
        }

        await Task.WhenAll(clients.OfType<ChatClient>().Select(c => c.DisposeAsync().AsTask()));
    }

    private static async Task<ChatClient?[]> WaveAsync(int count, Func<int, CancellationToken, Task<ChatClient>> connect, Measurements? measured)
    {
        var clients = new ChatClient?[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (i, cancellationToken) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                clients[i] = await connect(i, cancellationToken);
                measured?.Connected(Stopwatch.GetElapsedTime(started));
            }
            catch (Exception exception) when (exception is HubException or HttpRequestException or InvalidOperationException or IOException or TaskCanceledException or System.Net.WebSockets.WebSocketException)
            {
                measured?.Failed(ErrorCode.Of(exception));
            }
        });
        return clients;
    }
}
