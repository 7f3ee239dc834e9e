using System.Diagnostics;
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
/// of it (a ReadyToRun publish).
/// </summary>
internal static class FullSpeedRun
{
    private const string Content = "benchmark message of a typical chat length, about sixty bytes";

    public static async Task<int> RunAsync(BenchOptions options, CorePinning? pinning, IReadOnlyDictionary<string, string> environment, string? dll, string label)
    {
        var directory = Directory.CreateTempSubdirectory("realtime-fullspeed-");
        var started = Stopwatch.StartNew();
        var server = await ServerProcess.StartAsync("Sqlite", $"Data Source={Path.Combine(directory.FullName, "chat.db")}", cpuList: pinning?.ServerCores(0), settings: environment, dll: dll);
        var processStart = server.StartedAt;
        var readyAt = DateTime.UtcNow - processStart;
        var seconds = new long[(int)options.Duration.TotalSeconds + 1];
        var errors = 0L;
        try
        {
            var (clients, conversations) = await SetUpAsync(options, server);
            var firstSendAt = DateTime.UtcNow - processStart;
            var end = processStart + options.Duration;
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                for (var n = 0; DateTime.UtcNow < end; n++)
                {
                    try
                    {
                        await client.SendMessage(conversations[i / options.MembersPerGroup], $"{i}-{n}", Content);
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
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            Print(label, seconds, readyAt, firstSendAt, errors);
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            await server.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    private static void Print(string label, long[] seconds, TimeSpan readyAt, TimeSpan firstSendAt, long errors)
    {
        var last = seconds.Length - 1;
        var steady = Median(seconds[(last * 2 / 3)..last]);
        var at = Enumerable.Range(0, last - 2).FirstOrDefault(s => (seconds[s] + seconds[s + 1] + seconds[s + 2]) / 3.0 >= 0.9 * steady, -1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {(at < 0 ? "not reached" : $"{at} s")} | {steady:N0} | {readyAt.TotalSeconds:0.0} s | {firstSendAt.TotalSeconds:0.0} s | {errors} |"));
        Console.WriteLine("acks per second from process start: " + string.Join(' ', seconds[..last]));
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
