using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Realtime.Bench;

/// <summary>
/// The upper bound: a minimal raw-WebSocket relay on Kestrel that fans each frame out to its group,
/// with no protocol, no authentication and no persistence. Senders wait for their own echo as the ack.
/// </summary>
internal static class RelayBaseline
{
    public static async Task<Measurements> RunAsync(BenchOptions options)
    {
        await using var relay = await StartRelayAsync();
        var url = relay.Urls.Single().Replace("http://", "ws://", StringComparison.Ordinal);
        var measured = new Measurements("Baseline (raw WebSocket relay)");
        var sent = new ConcurrentDictionary<string, long>();
        var echoes = new ConcurrentDictionary<string, TaskCompletionSource>();
        var sockets = new ClientWebSocket[options.Clients];
        var receivers = new List<Task>();

        for (var i = 0; i < options.Clients; i++)
        {
            var socket = new ClientWebSocket();
            var started = Stopwatch.GetTimestamp();
            await socket.ConnectAsync(new Uri($"{url}/relay/{i / options.MembersPerGroup}"), CancellationToken.None);
            measured.Connected(Stopwatch.GetElapsedTime(started));
            sockets[i] = socket;
            var me = i;
            receivers.Add(Task.Run(async () =>
            {
                var buffer = new byte[1024];
                while (socket.State == WebSocketState.Open)
                {
                    WebSocketReceiveResult result;
                    try
                    {
                        result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    }
                    catch (WebSocketException)
                    {
                        break;
                    }

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    var id = Encoding.UTF8.GetString(buffer, 0, result.Count).Split('|')[0];
                    if (sent.TryGetValue(id, out var at))
                    {
                        measured.Delivery(at);
                    }

                    if (id.StartsWith($"{me}-", StringComparison.Ordinal) && echoes.TryRemove(id, out var echo))
                    {
                        echo.TrySetResult();
                    }
                }
            }));
        }

        (measured.WarmUp, measured.Elapsed) = await SendLoop.RunAsync(options, () => Task.Delay(options.Warmup), Enumerable.Range(0, options.Clients).ToList(), measured, sent, async (i, id) =>
        {
            var echo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            echoes[id] = echo;
            await sockets[i].SendAsync(Encoding.UTF8.GetBytes($"{id}|benchmark message of a typical chat length, about sixty bytes"), WebSocketMessageType.Text, true, CancellationToken.None);
            await echo.Task;
            return true;
        });
        await measured.DrainedAsync(options.MembersPerGroup);
        foreach (var socket in sockets)
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            socket.Dispose();
        }

        await Task.WhenAll(receivers);
        return measured;
    }

    private static async Task<WebApplication> StartRelayAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        var groups = new ConcurrentDictionary<string, ConcurrentDictionary<WebSocket, SemaphoreSlim>>();
        app.Map("/relay/{group}", async (HttpContext http, string group) =>
        {
            if (!http.WebSockets.IsWebSocketRequest)
            {
                http.Response.StatusCode = (int)HttpStatusCode.BadRequest;
                return;
            }

            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            var members = groups.GetOrAdd(group, _ => new());
            using var gate = new SemaphoreSlim(1, 1);
            members[socket] = gate;
            var buffer = new byte[1024];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    var frame = buffer.AsMemory(0, result.Count).ToArray();
                    foreach (var (member, memberGate) in members)
                    {
                        await memberGate.WaitAsync();
                        try
                        {
                            await member.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                        }
                        catch (WebSocketException)
                        {
                            // That member is leaving.
                        }
                        finally
                        {
                            memberGate.Release();
                        }
                    }
                }
            }
            finally
            {
                members.TryRemove(socket, out _);
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        });
        await app.StartAsync();
        return app;
    }
}
