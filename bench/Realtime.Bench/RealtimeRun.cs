using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>C typed clients in G conversations of M members, sending through the hub; latency is send → MessageReceived at each member.</summary>
internal static class RealtimeRun
{
    /// <param name="mix">Null: every operation is a send. Otherwise sends, reactions and edits in its shares, each acknowledged operation counted.</param>
    public static async Task<Measurements> RunAsync(BenchOptions options, IReadOnlyList<ServerProcess> servers, LogMix? mix = null)
    {
        var measured = new Measurements(mix is null ? "Realtime (hub, persisted)" : $"Realtime, mix {mix}");
        var sent = new ConcurrentDictionary<string, long>();
        // Client i talks to node i % N: with several nodes every conversation spans them, so each fan-out
        // crosses Redis. With --affinity a conversation's members all talk to one node instead, as if the
        // load balancer routed by conversation: a bound on what such routing would give.
        int NodeOf(int client) => (options.Affinity ? client / options.MembersPerGroup : client) % servers.Count;
        var https = servers.Select(server => new HttpClient { BaseAddress = server.Url }).ToList();
        var rssBefore = servers.Sum(server => server.ResidentBytes() ?? 0);

        var clients = new ChatClient[options.Clients];
        var setupStarted = Stopwatch.GetTimestamp();
        var run = Guid.NewGuid().ToString("N")[..6];
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Clients), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
        {
            var userId = $"bench-{run}-{i}";
            var server = servers[NodeOf(i)];
            using var response = await https[NodeOf(i)].PostAsJsonAsync("/api/dev/token", new DevTokenRequest(userId), cancellationToken);
            var token = (await response.Content.ReadFromJsonAsync<DevTokenResponse>(cancellationToken))!.AccessToken;
            var protocol = options.Protocol switch
            {
                "json" => ChatProtocol.Json,
                "messagepack" => ChatProtocol.MessagePack,
                _ => i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack,
            };
            var client = ChatClient.Create(server.Url, () => Task.FromResult<string?>(token), protocol);
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

        var rssAfter = servers.Sum(server => server.ResidentBytes() ?? 0);
        if (rssBefore > 0 && rssAfter > 0)
        {
            measured.ServerBytesPerConnection = (double)(rssAfter - rssBefore) / options.Clients;
        }

        https.ForEach(http => http.Dispose());

        var conversations = new string[options.Clients];
        for (var g = 0; g < options.Groups; g++)
        {
            var members = Enumerable.Range(g * options.MembersPerGroup, options.MembersPerGroup).Where(i => i < options.Clients).ToList();
            var conversation = await clients[members[0]].CreateConversation($"bench {g}", members.Skip(1).Select(i => $"bench-{run}-{i}").ToList());
            members.ForEach(i => conversations[i] = conversation.Id);
        }

        measured.SetupTime = Stopwatch.GetElapsedTime(setupStarted);
        var senders = Enumerable.Range(0, options.Clients).Where(i => conversations[i] is not null).ToList();
        CpuWindow? window = null;
        async Task WarmUp()
        {
            await (options.FixedWarmup ? Task.Delay(options.Warmup) : JitWarmUp.UntilQuietAsync(servers, options.Warmup));
            window = CpuWindow.Open(servers);
        }

        var operations = new MixedOperations(clients, conversations, mix);
        (measured.WarmUp, measured.Elapsed) = await SendLoop.RunAsync(options, WarmUp, senders, measured, sent, async (i, id) =>
        {
            try
            {
                await operations.NextAsync(i, id);
                return true;
            }
            catch (HubException exception)
            {
                measured.Failed(exception.Message.Split(':')[0]);
                return false;
            }
        });

        window!.Close(measured);

        // Let the last fan-outs land before the clients go: every ack fans out to its whole group.
        await measured.DrainedAsync(options.MembersPerGroup);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return measured;
    }
}
