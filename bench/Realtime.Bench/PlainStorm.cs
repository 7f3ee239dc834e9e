using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>
/// The storm on plain SignalR: three plain hubs (bench/PlainSignalR) on SignalR's Redis backplane, the same
/// users in the same groups, the same send rate, the same kill. Plain SignalR keeps no log, so there is
/// nothing to resync: what it can report is the time until the last cut-off client is connected again and
/// back in its group (SignalR's automatic reconnect, then JoinGroup again), and how many deliveries the
/// cut-off clients never got.
/// </summary>
internal static class PlainStorm
{
    private const int Nodes = 3;

    public static async Task<PlainStormResult> RunAsync(BenchOptions options)
    {
        await using var cluster = await BenchCluster.StartAsync(Nodes, plain: true, backplane: true);
        var urls = cluster.Nodes.Select(n => n.Url).ToList();
        var members = options.MembersPerGroup;
        var count = members * options.Groups;
        var clock = Stopwatch.StartNew();
        var clients = new ChatClient[count];
        var factories = new FailoverConnectionFactory?[count];
        var received = new long[count];
        var back = new TimeSpan?[count];
        var errors = new StormErrors();
        string Group(int i) => $"storm {i / members}";
        var connect = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var order = FailoverConnectionFactory.OrderFor(i, Nodes);
            var client = ChatClient.Create(urls[order[0]], () => Task.FromResult<string?>(null), ChatProtocol.MessagePack, configure: builder =>
                builder.Services.AddSingleton<IConnectionFactory>(services => factories[i] = FailoverConnectionFactory.Create(services, urls, order)));
            client.Connection.On<MessageDto>(nameof(IChatClient.MessageReceived), _ => Interlocked.Increment(ref received[i]));
            client.Connection.Reconnected += async _ =>
            {
                // Groups are per connection: a new connection is in none until it joins again.
                await client.Connection.InvokeAsync("JoinGroup", Group(i));
                back[i] = clock.Elapsed;
            };
            client.Connection.Closed += error =>
            {
                errors.Add("closed for good: " + (error is null ? "none" : StormErrors.Of(error)));
                return Task.CompletedTask;
            };
            await client.StartAsync(ct);
            await client.Connection.InvokeAsync("JoinGroup", Group(i), ct);
            clients[i] = client;
        });
        var connectTime = connect.Elapsed;

        using var stop = new CancellationTokenSource();
        var rate = options.Rate > 0 ? options.Rate : 100;
        var sent = new long[options.Groups];
        var sending = Task.Run(async () =>
        {
            var interval = TimeSpan.FromSeconds(1 / rate);
            var sendClock = Stopwatch.StartNew();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var g = n % options.Groups;
                var sender = clients[(g * members) + (n / options.Groups % members)];
                if (sender.State == HubConnectionState.Connected)
                {
                    // A sender cut off cannot send; plain SignalR has nothing to send it again later.
                    _ = Send(sender, $"storm {g}", n, g);
                }

                var next = interval * (n + 1);
                if (next > sendClock.Elapsed)
                {
                    await Task.Delay(next - sendClock.Elapsed, CancellationToken.None);
                }
            }
        }, CancellationToken.None);

        async Task Send(ChatClient sender, string group, int n, int g)
        {
            try
            {
                await sender.Connection.InvokeAsync("SendMessage", group, n.ToString(CultureInfo.InvariantCulture), "storm benchmark message of a typical chat length, sixty bytes");
                Interlocked.Increment(ref sent[g]);
            }
            catch (Exception exception)
            {
                errors.Add("send failed: " + StormErrors.Of(exception));
            }
        }

        await Task.Delay(options.Warmup);
        var victim = Enumerable.Range(0, Nodes).MaxBy(n => factories.Count(f => f?.Current == n));
        var cutOff = Enumerable.Range(0, count).Where(i => factories[i]?.Current == victim).ToList();
        var killedAt = clock.Elapsed;
        await cluster.Nodes[victim].KillAsync();
        var deadline = clock.Elapsed + options.Duration;
        while (clock.Elapsed < deadline && cutOff.Any(i => back[i] is null))
        {
            await Task.Delay(50);
        }

        while (clock.Elapsed < deadline)
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await sending;
        await Task.Delay(2000);
        // Every member should have had every message its group carried; what is short went out while it was away.
        var missed = Enumerable.Range(0, count).Sum(i => Math.Max(0, Interlocked.Read(ref sent[i / members]) - Interlocked.Read(ref received[i])));
        var result = new PlainStormResult(
            count, cutOff.Count, connectTime,
            [.. cutOff.Where(i => back[i] is not null).Select(i => (back[i]!.Value - killedAt).TotalSeconds).Order()],
            cutOff.Count(i => back[i] is null), sent.Sum(), missed,
            new SortedDictionary<string, long>(errors.Counts, StringComparer.Ordinal));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return result;
    }
}
