using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>Holds N idle hub connections and reports the server's resident memory per connection (Realtime's or plain SignalR's).</summary>
internal static class IdleRun
{
    /// <param name="withToken">Realtime's clients fetch a dev token first; the plain SignalR hub asks for none.</param>
    public static async Task<(double BytesPerConnection, TimeSpan ConnectTime)> RunAsync(int count, ServerProcess server, bool withToken = true)
    {
        using var http = new HttpClient { BaseAddress = server.Url };
        // Warm the server up with a few connections first, so start-up allocations do not count.
        var warmup = await ConnectAsync(http, server, 20, "warm", withToken);
        await Task.Delay(1000);
        var before = server.ResidentBytes() ?? 0;

        var clock = Stopwatch.StartNew();
        var clients = await ConnectAsync(http, server, count, "idle", withToken);
        var took = clock.Elapsed;
        await Task.Delay(3000);
        var after = server.ResidentBytes() ?? 0;

        foreach (var client in clients.Concat(warmup))
        {
            await client.DisposeAsync();
        }

        return ((double)(after - before) / count, took);
    }

    private static async Task<List<ChatClient>> ConnectAsync(HttpClient http, ServerProcess server, int count, string prefix, bool withToken)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var clients = new ChatClient[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancellationToken) =>
        {
            string? token = null;
            if (withToken)
            {
                using var response = await http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest($"{prefix}-{run}-{i}"), cancellationToken);
                token = (await response.Content.ReadFromJsonAsync<DevTokenResponse>(cancellationToken))!.AccessToken;
            }

            // Straight to the WebSocket: a negotiate request would leave one more idle keep-alive
            // socket per client on the server for two minutes, and the question is the hub connection's cost.
            var client = ChatClient.Create(server.Url, () => Task.FromResult(token), i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack,
                configure: builder => builder.Services.Configure<HttpConnectionOptions>(o =>
                {
                    o.SkipNegotiation = true;
                    o.Transports = HttpTransportType.WebSockets;
                }));
            await client.StartAsync(cancellationToken);
            clients[i] = client;
        });
        return [.. clients];
    }
}
