using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>
/// --storm (issue 24): three nodes on Redis, C users on the .NET sync client spread round-robin over them
/// (so every conversation spans the nodes), sending at a steady rate. The node holding the most clients is
/// killed with SIGKILL; its clients reconnect to the two that are left and resync while sends go on.
/// Reported: the time from the kill until the last client has every message acknowledged before the kill,
/// the errors by code (a rate limit's refusals apart), and, once sends stop, each client's messages against
/// the server's log (1..N with no gap, N = what was acknowledged in the conversation).
/// </summary>
internal static class StormRun
{
    private const int Nodes = 3;
    private const string Content = "storm benchmark message of a typical chat length, sixty bytes";

    // Every client comes from 127.0.0.1, so the per-address HTTP limit (the token endpoint) would throttle
    // the benchmark and not the storm; the connect limits and the hub call limits stay at their defaults.
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Chat__HttpRequestsPerSecond"] = "1000000",
        ["Chat__HttpRequestBurst"] = "1000000",
        ["Chat__HubCallsPerSecond"] = "50",
        ["Chat__HubCallBurst"] = "100",
        ["Chat__ConnectsPerMinute"] = "60",
        ["Chat__ConnectBurst"] = "20",
    };

    public static async Task<StormResult> RunAsync(BenchOptions options)
    {
        await using var cluster = await BenchCluster.StartAsync(Nodes, options.Postgres, settings: Settings);
        var urls = cluster.Nodes.Select(n => n.Url).ToList();
        var members = options.MembersPerGroup;
        var count = members * options.Groups;
        var run = Guid.NewGuid().ToString("N")[..6];
        string User(int i) => $"storm-{run}-{i}";
        using var http = new HttpClient { BaseAddress = urls[0] };
        var tokens = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var response = await http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest(User(i)), ct);
            tokens[i] = (await response.Content.ReadFromJsonAsync<DevTokenResponse>(ct))!.AccessToken;
        });
        var conversations = new string[options.Groups];
        for (var g = 0; g < options.Groups; g++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/conversations")
            {
                Content = JsonContent.Create(new CreateConversationRequest($"storm {g}", Enumerable.Range((g * members) + 1, members - 1).Select(User).ToList())),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[g * members]);
            using var response = await http.SendAsync(request);
            conversations[g] = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<ConversationDto>())!.Id;
        }

        var errors = new StormErrors();
        using var logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(errors));
        var clock = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, count).Select(i => new StormClient(i, urls, tokens[i], clock, errors, logs)).ToArray();
        var connect = Stopwatch.StartNew();
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (c, ct) => await c.StartAsync(ct));
        var connectTime = connect.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"storm: {count:N0} clients connected to {Nodes} nodes in {connectTime.TotalSeconds:0.0} s"));

        var sends = new SendTracker(options.Groups);
        using var stop = new CancellationTokenSource();
        var sending = SendAsync(clients, conversations, members, options.Rate > 0 ? options.Rate : 100, sends, errors, stop.Token);
        await Task.Delay(options.Warmup);

        // The node holding the most clients; each client's target is what its conversation had acknowledged.
        var victim = Enumerable.Range(0, Nodes).MaxBy(n => clients.Count(c => c.Node == n));
        var cutOff = clients.Where(c => c.Node == victim).ToList();
        var highWater = sends.Snapshot();
        foreach (var client in clients)
        {
            client.Killed(highWater[client.Index / members], client.Node == victim);
        }

        var killedAt = clock.Elapsed;
        await cluster.Nodes[victim].KillAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"storm: node {victim + 1} killed (SIGKILL) holding {cutOff.Count:N0} clients; sends go on"));

        var deadline = clock.Elapsed + options.Duration;
        while (clock.Elapsed < deadline && cutOff.Any(c => c.CaughtUpAt is null))
        {
            await Task.Delay(50);
        }

        // Sends go on for the rest of the measured duration, then stop; every one must be acknowledged.
        while (clock.Elapsed < deadline)
        {
            await Task.Delay(100);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"storm: {cutOff.Count(c => c.CaughtUpAt is not null):N0} of {cutOff.Count:N0} cut-off clients caught up; stopping sends"));
        await stop.CancelAsync();
        await sending;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"storm: {sends.Total:N0} sends acknowledged; checking every client against the server's log"));
        var verified = await VerifyAsync(clients, conversations, members, victim, sends, clock);
        var result = new StormResult(
            count, options.Groups, members, cutOff.Count, connectTime,
            Seconds(cutOff.Select(c => c.CaughtUpAt - killedAt)),
            Seconds(cutOff.Select(c => c.BackAt - killedAt)),
            Seconds(clients.Except(cutOff).Select(c => c.CaughtUpAt - killedAt < TimeSpan.Zero ? TimeSpan.Zero : c.CaughtUpAt - killedAt)),
            cutOff.Count(c => c.CaughtUpAt is null),
            cutOff.GroupBy(c => c.Node).ToDictionary(g => g.Key + 1, g => g.Count()),
            sends.Total, verified.Complete, verified.Gaps, verified.Mismatches,
            new SortedDictionary<string, long>(errors.Counts, StringComparer.Ordinal));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return result;
    }

    private static double[] Seconds(IEnumerable<TimeSpan?> times) => [.. times.Where(t => t is not null).Select(t => t!.Value.TotalSeconds).Order()];

    /// <summary>Steady sends from every user in turn (the cut-off ones too: the sync client sends again until acknowledged).</summary>
    private static async Task SendAsync(StormClient[] clients, string[] conversations, int members, double rate, SendTracker sends, StormErrors errors, CancellationToken stop)
    {
        var pending = new List<Task>();
        var interval = TimeSpan.FromSeconds(1 / rate);
        var clock = Stopwatch.StartNew();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            // Across conversations first, so each conversation's senders sit on different nodes.
            var conversation = n % conversations.Length;
            var client = clients[(conversation * members) + (n / conversations.Length % members)];
            pending.Add(Task.Run(async () =>
            {
                try
                {
                    var message = await client.Sync.SendAsync(conversations[conversation], Content, CancellationToken.None);
                    sends.Acknowledged(conversation, message.Sequence);
                }
                catch (Exception exception)
                {
                    errors.Add("send failed: " + StormErrors.Of(exception));
                }
            }, CancellationToken.None));
            var next = interval * (n + 1);
            if (next > clock.Elapsed)
            {
                await Task.Delay(next - clock.Elapsed, CancellationToken.None);
            }
        }

        try
        {
            await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            errors.Add("sends not acknowledged 20 s after the last", pending.Count(t => !t.IsCompleted));
        }
    }

    /// <summary>Each conversation's log as the server holds it, against what was acknowledged and what each member was handed.</summary>
    private static async Task<(int Complete, int Gaps, int Mismatches)> VerifyAsync(StormClient[] clients, string[] conversations, int members, int victim, SendTracker sends, Stopwatch clock)
    {
        var logs = new long[conversations.Length];
        var mismatches = 0;
        for (var g = 0; g < conversations.Length; g++)
        {
            var reader = clients.Skip(g * members).Take(members).First(c => c.Node != victim);
            var expected = 1L;
            for (var page = await reader.Sync.Hub.GetMessages(conversations[g], 0, 200); page.Count > 0; page = await reader.Sync.Hub.GetMessages(conversations[g], expected - 1, 200))
            {
                foreach (var message in page)
                {
                    mismatches += message.Sequence == expected ? 0 : 1;
                    expected = message.Sequence + 1;
                }
            }

            logs[g] = expected - 1;
            mismatches += logs[g] == sends.Count(g) ? 0 : 1;
        }

        // Live delivery of the last sends takes a moment after their acks.
        var until = clock.Elapsed + TimeSpan.FromSeconds(20);
        while (clock.Elapsed < until && clients.Any(c => c.Last < logs[c.Index / members]))
        {
            await Task.Delay(100);
        }

        return (clients.Count(c => c.Last == logs[c.Index / members] && c.Gaps == 0), clients.Sum(c => c.Gaps), mismatches);
    }

    /// <summary>Acknowledged sends per conversation: how many, and the highest sequence.</summary>
    private sealed class SendTracker(int conversations)
    {
        private readonly long[] _highest = new long[conversations];
        private readonly long[] _counts = new long[conversations];
        private long _total;

        public long Total => Interlocked.Read(ref _total);

        public long Count(int conversation) => Interlocked.Read(ref _counts[conversation]);

        public void Acknowledged(int conversation, long sequence)
        {
            lock (_highest)
            {
                _highest[conversation] = Math.Max(_highest[conversation], sequence);
                _counts[conversation]++;
                _total++;
            }
        }

        public long[] Snapshot()
        {
            lock (_highest)
            {
                return [.. _highest];
            }
        }
    }
}
