using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>
/// Holds N idle hub connections and reports the server's resident memory per connection (Realtime's or
/// plain SignalR's). With conversations, the same N users are in the same conversations on both: Realtime's
/// exist before the connects (each connect joins them), plain SignalR's clients call JoinGroup.
/// </summary>
internal static class IdleRun
{
    /// <param name="groups">Conversations the connections are spread over, consecutive users together (0: none).</param>
    /// <param name="realtime">Realtime's clients hold a dev token and their conversations exist; the plain SignalR hub asks for neither.</param>
    /// <param name="hold">How long to keep the connections open once measured, for a heap dump of the server.</param>
    public static async Task<(double BytesPerConnection, TimeSpan ConnectTime)> RunAsync(int count, int groups, ServerProcess server, bool realtime, TimeSpan hold = default)
    {
        using var http = new HttpClient { BaseAddress = server.Url };
        // Warm the server up with a few connections first, so start-up allocations do not count.
        var warmup = await ConnectAsync(server, await TokensAsync(http, "warm", 20, realtime), null);
        var tokens = await TokensAsync(http, "idle", count, realtime);
        var members = Math.Max(1, count / Math.Max(1, groups));
        var groupOf = Enumerable.Range(0, count).Select(i => groups > 0 && i / members < groups ? $"idle {i / members}" : null).ToArray();
        if (realtime && groups > 0)
        {
            for (var g = 0; g < groups; g++)
            {
                var ids = Enumerable.Range(g * members, members).Where(i => i < count).ToList();
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/conversations")
                {
                    Content = JsonContent.Create(new CreateConversationRequest($"idle {g}", ids.Skip(1).Select(i => tokens[i].UserId).ToList())),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[ids[0]].Token);
                (await http.SendAsync(request)).EnsureSuccessStatusCode();
            }
        }

        await Task.Delay(1000);
        var before = server.ResidentBytes() ?? 0;

        var clock = Stopwatch.StartNew();
        var clients = await ConnectAsync(server, tokens, realtime ? null : groupOf);
        var took = clock.Elapsed;
        await Task.Delay(3000);
        var after = server.ResidentBytes() ?? 0;
        await HoldAsync(server, count, hold);

        foreach (var client in clients.Concat(warmup))
        {
            await client.DisposeAsync();
        }

        return ((double)(after - before) / count, took);
    }

    /// <summary>The same count of bare WebSockets to plain SignalR's <c>/ws</c>: what Kestrel alone keeps per connection.</summary>
    public static async Task<(double BytesPerConnection, TimeSpan ConnectTime)> BareAsync(int count, ServerProcess server, TimeSpan hold = default)
    {
        var warmup = await OpenSocketsAsync(server, 20);
        await Task.Delay(1000);
        var before = server.ResidentBytes() ?? 0;

        var clock = Stopwatch.StartNew();
        var sockets = await OpenSocketsAsync(server, count);
        var took = clock.Elapsed;
        await Task.Delay(3000);
        var after = server.ResidentBytes() ?? 0;
        await HoldAsync(server, count, hold);

        await Parallel.ForEachAsync(sockets.Concat(warmup), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (socket, cancellationToken) =>
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            socket.Dispose();
        });
        return ((double)(after - before) / count, took);
    }

    private static async Task HoldAsync(ServerProcess server, int count, TimeSpan hold)
    {
        if (hold > TimeSpan.Zero)
        {
            Console.WriteLine($"holding {count:N0} idle connections on process {server.ProcessId} for {hold.TotalSeconds:0} s (dotnet-gcdump collect -p {server.ProcessId})");
            await Task.Delay(hold);
        }
    }

    private static async Task<List<ClientWebSocket>> OpenSocketsAsync(ServerProcess server, int count)
    {
        var sockets = new ClientWebSocket[count];
        var address = new UriBuilder(server.Url) { Scheme = "ws", Path = "/ws" }.Uri;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancellationToken) =>
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(address, cancellationToken);
            sockets[i] = socket;
        });
        return [.. sockets];
    }

    private static async Task<(string UserId, string? Token)[]> TokensAsync(HttpClient http, string prefix, int count, bool realtime)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var tokens = Enumerable.Range(0, count).Select(i => ($"{prefix}-{run}-{i}", (string?)null)).ToArray();
        if (realtime)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
            {
                using var response = await http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest(tokens[i].Item1), cancellationToken);
                tokens[i].Item2 = (await response.Content.ReadFromJsonAsync<DevTokenResponse>(cancellationToken))!.AccessToken;
            });
        }

        return tokens;
    }

    /// <param name="joinGroups">The plain SignalR hub's groups to join after connecting (Realtime's connects join theirs).</param>
    private static async Task<List<ChatClient>> ConnectAsync(ServerProcess server, (string UserId, string? Token)[] tokens, string?[]? joinGroups)
    {
        var clients = new ChatClient[tokens.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, tokens.Length), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancellationToken) =>
        {
            // Straight to the WebSocket: a negotiate request would leave one more idle keep-alive
            // socket per client on the server for two minutes, and the question is the hub connection's cost.
            var token = tokens[i].Token;
            var client = ChatClient.Create(server.Url, () => Task.FromResult(token), i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack,
                configure: builder => builder.Services.Configure<HttpConnectionOptions>(o =>
                {
                    o.SkipNegotiation = true;
                    o.Transports = HttpTransportType.WebSockets;
                }));
            await client.StartAsync(cancellationToken);
            if (joinGroups?[i] is { } group)
            {
                await client.Connection.InvokeAsync("JoinGroup", group, cancellationToken);
            }

            clients[i] = client;
        });
        return [.. clients];
    }
}
