using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>
/// The load of <see cref="RealtimeRun"/> against the plain SignalR hub (bench/PlainSignalR): the same
/// clients on the same protocols, each joins its group and sends; a send completes when the hub's
/// <c>Clients.Group(...).SendAsync</c> has, and a delivery is the same <c>MessageReceived</c> callback.
/// </summary>
internal static class PlainSignalRRun
{
    public static async Task<Measurements> RunAsync(BenchOptions options, ServerProcess server)
    {
        var measured = new Measurements("plain SignalR (hub with groups, no persistence)");
        var sent = new ConcurrentDictionary<string, long>();
        var rssBefore = server.ResidentBytes() ?? 0;
        var clients = new ChatClient[options.Clients];
        var groups = new string?[options.Clients];
        var setupStarted = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Clients), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
        {
            var protocol = options.Protocol switch
            {
                "json" => ChatProtocol.Json,
                "messagepack" => ChatProtocol.MessagePack,
                _ => i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack,
            };
            // The same typed client as Realtime's, for the same connection code; the hub asks for no token.
            var client = ChatClient.Create(server.Url, () => Task.FromResult<string?>(null), protocol);
            client.Connection.On<MessageDto>(nameof(IChatClient.MessageReceived), message =>
            {
                if (sent.TryGetValue(message.ClientMessageId, out var at))
                {
                    measured.Delivery(at);
                }
            });
            var started = Stopwatch.GetTimestamp();
            await client.StartAsync(cancellationToken);
            measured.Connected(Stopwatch.GetElapsedTime(started));
            clients[i] = client;
        });

        var rssAfter = server.ResidentBytes() ?? 0;
        if (rssBefore > 0 && rssAfter > 0)
        {
            measured.ServerBytesPerConnection = (double)(rssAfter - rssBefore) / options.Clients;
        }

        // Groups as Realtime's conversations: client i in group i / members, the remainder in none.
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Groups * options.MembersPerGroup).Where(i => i < options.Clients), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
        {
            var group = $"bench {i / options.MembersPerGroup}";
            await clients[i].Connection.InvokeAsync("JoinGroup", group, cancellationToken);
            groups[i] = group;
        });
        measured.SetupTime = Stopwatch.GetElapsedTime(setupStarted);

        var servers = new[] { server };
        CpuWindow? window = null;
        async Task WarmUp()
        {
            await (options.FixedWarmup ? Task.Delay(options.Warmup) : JitWarmUp.UntilQuietAsync(servers, options.Warmup));
            window = CpuWindow.Open(servers);
        }

        var senders = Enumerable.Range(0, options.Clients).Where(i => groups[i] is not null).ToList();
        (measured.WarmUp, measured.Elapsed) = await SendLoop.RunAsync(options, WarmUp, senders, measured, sent, async (i, id) =>
        {
            try
            {
                await clients[i].Connection.InvokeAsync("SendMessage", groups[i], id, "benchmark message of a typical chat length, about sixty bytes");
                return true;
            }
            catch (HubException exception)
            {
                measured.Failed(exception.Message.Split(':')[0]);
                return false;
            }
        });
        window!.Close(measured);

        await measured.DrainedAsync(options.MembersPerGroup);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return measured;
    }
}
