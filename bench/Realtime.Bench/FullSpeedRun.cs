using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>
/// --full-speed (issue 24, time to full speed): a fresh node is started and loaded at once, as a new pod
/// takes traffic the moment it is ready: --clients users in --groups conversations, each sending as soon as
/// its previous send is acknowledged, until --duration seconds after the process started. Acknowledged
/// sends are counted per second of the process's life; steady is the median second of the last third, and
/// the time to full speed the first second from which three seconds in a row average 90 % of it.
/// --server-env K=V,K=V gives the node runtime settings (DOTNET_TieredPGO=0, ...); --server-dll another build
/// of it (a ReadyToRun publish). Then the same on a fresh plain SignalR hub (--no-plain skips it): the same
/// users join their groups and each sends as soon as the hub's group send has completed.
/// </summary>
internal static class FullSpeedRun
{
    private const string Content = "benchmark message of a typical chat length, about sixty bytes";

    private sealed record Result(long[] Seconds, TimeSpan ReadyAt, TimeSpan FirstSendAt, long Errors)
    {
        public double Steady => Median(Seconds[((Seconds.Length - 1) * 2 / 3)..^1]);

        /// <summary>The first second from which three in a row average 90 % of steady; -1 if none.</summary>
        public int FullSpeedAt => Enumerable.Range(0, Seconds.Length - 3).FirstOrDefault(s => (Seconds[s] + Seconds[s + 1] + Seconds[s + 2]) / 3.0 >= 0.9 * Steady, -1);
    }

    public static async Task<int> RunAsync(BenchOptions options, CorePinning? pinning, IReadOnlyDictionary<string, string> environment, string? dll, string label)
    {
        var realtime = await RealtimeAsync(options, pinning, environment, dll);
        Print(label, realtime);
        if (options.StormPlain)
        {
            var plain = await PlainAsync(options, pinning);
            Print("plain SignalR (hub with groups, no persistence)", plain);
            Console.WriteLine(realtime.FullSpeedAt > 0 && plain.FullSpeedAt > 0
                ? string.Create(CultureInfo.InvariantCulture, $"time to 90 % of steady, Realtime ÷ plain SignalR: {(double)realtime.FullSpeedAt / plain.FullSpeedAt:0.00}")
                : "time to 90 % of steady, Realtime ÷ plain SignalR: - (one of them was at full speed from its first second of load, or never)");
        }

        return realtime.Errors == 0 ? 0 : 1;
    }

    private static async Task<Result> RealtimeAsync(BenchOptions options, CorePinning? pinning, IReadOnlyDictionary<string, string> environment, string? dll)
    {
        var directory = Directory.CreateTempSubdirectory("realtime-fullspeed-");
        var server = await ServerProcess.StartAsync("Sqlite", $"Data Source={Path.Combine(directory.FullName, "chat.db")}", cpuList: pinning?.ServerCores(0), settings: environment, dll: dll);
        var readyAt = DateTime.UtcNow - server.StartedAt;
        try
        {
            var (clients, conversations) = await SetUpAsync(options, server);
            var result = await LoadAsync(options, server, readyAt, clients.Length, (i, n) => clients[i].SendMessage(conversations[i / options.MembersPerGroup], $"{i}-{n}", Content));
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            return result;
        }
        finally
        {
            await server.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<Result> PlainAsync(BenchOptions options, CorePinning? pinning)
    {
        await using var server = await ServerProcess.StartPlainSignalRAsync(cpuList: pinning?.ServerCores(0));
        var readyAt = DateTime.UtcNow - server.StartedAt;
        var clients = new ChatClient[options.MembersPerGroup * options.Groups];
        await Parallel.ForEachAsync(Enumerable.Range(0, clients.Length), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var client = ChatClient.Create(server.Url, () => Task.FromResult<string?>(null), ChatProtocol.MessagePack);
            client.Connection.On<MessageDto>(nameof(IChatClient.MessageReceived), _ => { });
            await client.StartAsync(ct);
            await client.Connection.InvokeAsync("JoinGroup", Group(i), ct);
            clients[i] = client;
        });
        var result = await LoadAsync(options, server, readyAt, clients.Length, (i, n) => clients[i].Connection.InvokeAsync("SendMessage", Group(i), $"{i}-{n}", Content));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return result;

        string Group(int i) => $"speed {i / options.MembersPerGroup}";
    }

    /// <summary>Each client sends as soon as its previous send completed, until --duration after the process started.</summary>
    private static async Task<Result> LoadAsync(BenchOptions options, ServerProcess server, TimeSpan readyAt, int count, Func<int, int, Task> send)
    {
        var processStart = server.StartedAt;
        var seconds = new long[(int)options.Duration.TotalSeconds + 1];
        var errors = 0L;
        var firstSendAt = DateTime.UtcNow - processStart;
        var end = processStart + options.Duration;
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            for (var n = 0; DateTime.UtcNow < end; n++)
            {
                try
                {
                    await send(i, n);
                    var second = (int)(DateTime.UtcNow - processStart).TotalSeconds;
                    if (second < seconds.Length)
                    {
                        Interlocked.Increment(ref seconds[second]);
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        return new Result(seconds, readyAt, firstSendAt, errors);
    }

    private static void Print(string label, Result result)
    {
        var at = result.FullSpeedAt;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {(at < 0 ? "not reached" : $"{at} s")} | {result.Steady:N0} | {result.ReadyAt.TotalSeconds:0.0} s | {result.FirstSendAt.TotalSeconds:0.0} s | {result.Errors} |"));
        Console.WriteLine("acks per second from process start: " + string.Join(' ', result.Seconds[..^1]));
    }

    private static double Median(long[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;
    }

    private static async Task<(ChatClient[] Clients, string[] Conversations)> SetUpAsync(BenchOptions options, ServerProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.Url };
        var members = options.MembersPerGroup;
        var count = members * options.Groups;
        var tokens = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var response = await http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest($"speed-{i}"), ct);
            tokens[i] = (await response.Content.ReadFromJsonAsync<DevTokenResponse>(ct))!.AccessToken;
        });
        var conversations = new string[options.Groups];
        for (var g = 0; g < options.Groups; g++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/conversations")
            {
                Content = JsonContent.Create(new CreateConversationRequest($"speed {g}", Enumerable.Range((g * members) + 1, members - 1).Select(i => $"speed-{i}").ToList())),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[g * members]);
            using var response = await http.SendAsync(request);
            conversations[g] = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<ConversationDto>())!.Id;
        }

        var clients = new ChatClient[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var client = ChatClient.Create(server.Url, () => Task.FromResult<string?>(tokens[i]), ChatProtocol.MessagePack);
            client.Connection.On<MessageDto>(nameof(IChatClient.MessageReceived), _ => { });
            await client.StartAsync(ct);
            clients[i] = client;
        });
        return (clients, conversations);
    }
}
