using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>
/// --routing: four nodes on Redis, each conversation's members on one node or split over two, a fixed
/// send rate; what each node reads from Redis against what its own members' conversations carried from
/// the other nodes. With routing by conversation the two are equal; with every node reading everything
/// a node would read what the whole cluster sends.
/// </summary>
internal static class RoutingRun
{
    private const int Nodes = 4;

    public static async Task<int> RunAsync(BenchOptions options, CorePinning? pinning)
    {
        await using var cluster = await BenchCluster.StartAsync(Nodes, options.Postgres, options.NodeCpu, pinning: pinning);
        var members = options.MembersPerGroup;
        // Even conversations live on one node; odd ones have half their members on the next node.
        int NodeOf(int conversation, int member) => (conversation + (conversation % 2 == 1 && member % 2 == 1 ? 1 : 0)) % Nodes;
        var run = Guid.NewGuid().ToString("N")[..6];
        var clients = new ConcurrentDictionary<(int Conversation, int Member), ChatClient>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, options.Groups).SelectMany(c => Enumerable.Range(0, members).Select(m => (c, m))),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (slot, cancellationToken) =>
            {
                var node = cluster.Nodes[NodeOf(slot.c, slot.m)];
                using var http = new HttpClient { BaseAddress = node.Url };
                using var response = await http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest($"route-{run}-{slot.c}-{slot.m}"), cancellationToken);
                var token = (await response.Content.ReadFromJsonAsync<DevTokenResponse>(cancellationToken))!.AccessToken;
                var client = ChatClient.Create(node.Url, () => Task.FromResult<string?>(token), ChatProtocol.MessagePack);
                await client.StartAsync(cancellationToken);
                clients[slot] = client;
            });

        var conversations = new string[options.Groups];
        for (var c = 0; c < options.Groups; c++)
        {
            var others = Enumerable.Range(1, members - 1).Select(m => $"route-{run}-{c}-{m}").ToList();
            conversations[c] = (await clients[(c, 0)].CreateConversation($"routed {c}", others)).Id;
        }

        // Every member is in its conversation's group once a call of its own has been answered.
        foreach (var client in clients.Values)
        {
            await client.GetConversations();
        }

        var rate = options.Rate > 0 ? options.Rate : 200;
        var before = await Task.WhenAll(cluster.Nodes.Select(ReadAsync));
        var carried = new long[Nodes];
        var sendsPerNode = new long[Nodes];
        var deadline = DateTime.UtcNow + options.Duration;
        var interval = TimeSpan.FromSeconds(1 / rate);
        var n = 0;
        var pending = new List<Task>();
        while (DateTime.UtcNow < deadline)
        {
            var (c, m) = (n % options.Groups, n / options.Groups % members);
            var from = NodeOf(c, m);
            sendsPerNode[from]++;
            // What this message carries to the other nodes with members of its conversation.
            foreach (var node in Enumerable.Range(0, members).Select(member => NodeOf(c, member)).Distinct().Where(node => node != from))
            {
                carried[node]++;
            }

            pending.Add(clients[(c, m)].SendMessage(conversations[c], $"r{n}", "routed benchmark message of a typical chat length, sixty"));
            n++;
            await Task.Delay(interval);
        }

        await Task.WhenAll(pending);
        var read = await EventuallyAsync(cluster.Nodes, before, carried);
        Print(options, sendsPerNode, carried, before, read);
        foreach (var client in clients.Values)
        {
            await client.DisposeAsync();
        }

        var worst = Enumerable.Range(0, Nodes).Max(i => Ratio(read[i].Messages - before[i].Messages, carried[i]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"routing {(worst <= 1.5 ? "passed" : "FAILED")}: the most any node read is {worst:0.00} times what its members' conversations carried (bound 1.5)"));
        return worst <= 1.5 ? 0 : 1;
    }

    private static double Ratio(long read, long carried) => carried == 0 ? (read == 0 ? 1 : double.PositiveInfinity) : (double)read / carried;

    /// <summary>Deliveries over Redis land a moment after the last ack: read until every node has what it is owed, or a few seconds passed.</summary>
    private static async Task<Backplane[]> EventuallyAsync(IReadOnlyList<ServerProcess> nodes, Backplane[] before, long[] carried)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var now = await Task.WhenAll(nodes.Select(ReadAsync));
            if (DateTime.UtcNow > deadline || Enumerable.Range(0, nodes.Count).All(i => now[i].Messages - before[i].Messages >= carried[i]))
            {
                return now;
            }

            await Task.Delay(200);
        }
    }

    private static void Print(BenchOptions options, long[] sends, long[] carried, Backplane[] before, Backplane[] after)
    {
        Console.WriteLine($"routing: {Nodes} nodes, {options.Groups} conversations of {options.MembersPerGroup} (even ones on one node, odd ones over two), MessagePack");
        Console.WriteLine("| node | sends from its members | messages its members' conversations carried from other nodes | chat messages it read from Redis | read ÷ carried | frames read (own echoes included) | bytes read |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        for (var i = 0; i < Nodes; i++)
        {
            var read = after[i].Messages - before[i].Messages;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {i + 1} | {sends[i]:N0} | {carried[i]:N0} | {read:N0} | {Ratio(read, carried[i]):0.00} | {after[i].Frames - before[i].Frames:N0} | {after[i].Bytes - before[i].Bytes:N0} |"));
        }
    }

    private static async Task<Backplane> ReadAsync(ServerProcess node)
    {
        using var http = new HttpClient { BaseAddress = node.Url };
        var lines = (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
        long Sum(string name) => lines
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && (line.Length > name.Length && line[name.Length] is '{' or ' ') && !line.Contains("kind=\"membership\"", StringComparison.Ordinal) && !line.Contains("kind=\"groups\"", StringComparison.Ordinal))
            .Sum(line => (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        return new Backplane(Sum("realtime_backplane_messages_total"), Sum("realtime_backplane_received_total"), Sum("realtime_backplane_received_size_bytes_total"));
    }

    private readonly record struct Backplane(long Messages, long Frames, long Bytes);
}
