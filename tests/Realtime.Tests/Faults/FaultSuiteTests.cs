using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Realtime.Tests.Faults;

/// <summary>
/// The local topology (deploy/local/topology.sh: nginx, three nodes, Redis, PostgreSQL) under steady
/// chat while Redis is stopped for 10 s with a node killed during the outage (and restarted after it),
/// then PostgreSQL is stopped for 10 s.
/// </summary>
[Collection(TopologyTests.Name)]
public sealed class FaultSuiteTests(ITestOutputHelper output)
{
    private const int Clients = 30;
    private static readonly TimeSpan ChatFor = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Thirty_clients_through_nginx_lose_no_acknowledged_message_while_a_node_redis_and_postgres_fail()
    {
        await using var topology = await LocalTopology.StartAsync();
        var users = Enumerable.Range(0, Clients).Select(i => Users.Unique($"f{i}")).ToList();
        var clients = new List<FaultClient>();
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
        {
            clients.Add(await FaultClient.ConnectAsync(topology.Url, user, i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack));
        }

        try
        {
            var conversation = await clients[0].Hub.CreateConversation("fault suite", users.Skip(1).ToList());
            foreach (var client in clients)
            {
                await client.Received.WaitForAsync<ConversationDto>(c => c.Id == conversation.Id, $"{client.UserId} joins");
            }

            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource(ChatFor);
            var senders = clients.Select(c => c.ChatAsync(conversation.Id, stop.Token)).ToList();

            // The node dies while Redis is away: its clients must get back in on the other nodes meanwhile.
            await At(clock, 8, () => topology.RunAsync("stop-redis"));
            await At(clock, 11, () => topology.RunAsync("kill-node", "2"));
            await At(clock, 18, () => topology.RunAsync("start-redis"));
            await At(clock, 24, () => topology.RunAsync("start-node", "2"));
            await At(clock, 40, () => topology.RunAsync("stop-postgres"));
            await At(clock, 50, () => topology.RunAsync("start-postgres"));
            // Each sender stops a moment after the chat ends; one still retrying long after is stuck.
            var settled = await Task.WhenAny(Task.WhenAll(senders), Task.Delay(ChatFor + TimeSpan.FromSeconds(60)));
            settled.Should().NotBeNull();
            senders.Where(s => !s.IsCompleted).Should().BeEmpty(
                "every client gets its last send through once the faults are over, but {0} are still retrying: {1}",
                senders.Count(s => !s.IsCompleted),
                string.Join("; ", clients.Where((_, i) => !senders[i].IsCompleted).Select(c => $"{c.UserId} {c.Hub.State} errors {string.Join(",", c.Errors.TakeLast(5))}")));

            var logs = new List<List<MessageDto>>();
            foreach (var client in clients)
            {
                logs.Add(await client.ResyncAsync(conversation.Id));
            }

            var acknowledged = clients.SelectMany(c => c.Acknowledged).ToList();
            var truth = logs[0];
            var lost = logs.Sum(log => acknowledged.Count(a => log.All(m => m.Id != a.Id)));
            var doubled = clients.Sum(c => c.Received.Messages(conversation.Id).GroupBy(m => m.Sequence).Count(g => g.Select(m => m.Id).Distinct().Count() > 1));
            var reconnects = clients.SelectMany(c => c.ReconnectTimes).ToList();
            var errors = clients.SelectMany(c => c.Errors).GroupBy(e => e).ToDictionary(g => g.Key, g => g.Count());
            WriteTable(clients, acknowledged.Count, truth.Count, lost, doubled, reconnects, errors);

            truth.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, truth.Count).Select(i => (long)i), "the log is gap-free");
            logs.Should().OnlyContain(log => log.Select(m => m.Id).SequenceEqual(truth.Select(m => m.Id)), "every client holds the same log");
            lost.Should().Be(0, "no acknowledged message is lost");
            acknowledged.Select(a => a.Id).Should().OnlyHaveUniqueItems("no send was acknowledged twice as two messages");
            truth.Should().HaveCount(acknowledged.Count, "the log holds exactly the acknowledged messages");
            doubled.Should().Be(0);
            reconnects.Should().NotBeEmpty("killing a node moves its clients");
            reconnects.Max().Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(5), "clients reconnect within 5 s of losing their node");
            clients.Should().OnlyContain(c => c.Hub.State == HubConnectionState.Connected);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task At(Stopwatch clock, int second, Func<Task> fault)
    {
        var wait = TimeSpan.FromSeconds(second) - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        await fault();
    }

    private void WriteTable(List<FaultClient> clients, int acknowledged, int stored, int lost, int doubled, List<TimeSpan> reconnects, Dictionary<string, int> errors)
    {
        var table = new StringBuilder()
            .AppendLine("| clients | sends attempted | acknowledged | stored | lost | doubled | reconnects | slowest reconnect | errors by code |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|")
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"| {clients.Count} | {clients.Sum(c => c.Attempts)} | {acknowledged} | {stored} | {lost} | {doubled} | {reconnects.Count} | {(reconnects.Count == 0 ? 0 : reconnects.Max().TotalSeconds):0.00} s | {string.Join(", ", errors.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"))} |")
            .ToString();
        output.WriteLine(table);
        var artifacts = Path.Combine(Infrastructure.Samples.RepositoryRoot, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.WriteAllText(Path.Combine(artifacts, "fault-suite.md"), "Fault suite: Redis down 10 s with a node killed (kill -9) during the outage and restarted, PostgreSQL down 10 s, through nginx\n\n" + table);
    }

    /// <summary>A chat client as an application would write it: retries each send with the same id until acknowledged.</summary>
    private sealed class FaultClient : IAsyncDisposable
    {
        private readonly ConcurrentQueue<MessageDto> _acknowledged = new();
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly ConcurrentQueue<TimeSpan> _reconnects = new();
        private long _lostAt;

        private FaultClient(TestClient client)
        {
            Client = client;
            var hub = client.Hub;
            hub.Connection.Reconnecting += _ => { Interlocked.Exchange(ref _lostAt, Stopwatch.GetTimestamp()); return Task.CompletedTask; };
            hub.Connection.Reconnected += _ => { _reconnects.Enqueue(Stopwatch.GetElapsedTime(Interlocked.Read(ref _lostAt))); return Task.CompletedTask; };
        }

        public TestClient Client { get; }

        public string UserId => Client.UserId;

        public ChatClient Hub => Client.Hub;

        public RecordingReceiver Received => Client.Received;

        public int Attempts { get; private set; }

        public IReadOnlyCollection<MessageDto> Acknowledged => _acknowledged;

        public IReadOnlyCollection<string> Errors => _errors;

        public IReadOnlyCollection<TimeSpan> ReconnectTimes => _reconnects;

        public static async Task<FaultClient> ConnectAsync(Uri url, string userId, ChatProtocol protocol)
        {
            using var http = new HttpClient { BaseAddress = url };
            using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "/api/dev/token", new DevTokenRequest(userId));
            var token = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<DevTokenResponse>(response.Content))!.AccessToken;
            return new FaultClient(await TestClient.ConnectAsync(url, userId, token, protocol, new SteadyRetry()));
        }

        public async Task ChatAsync(string conversationId, CancellationToken stop)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var clientMessageId = $"{UserId}-{n}";
                while (true)
                {
                    Attempts++;
                    try
                    {
                        _acknowledged.Enqueue(await Hub.SendMessage(conversationId, clientMessageId, $"message {n} from {UserId}", CancellationToken.None));
                        break;
                    }
                    catch (HubException exception)
                    {
                        _errors.Enqueue(exception.Message.Split(':')[0]);
                    }
                    catch (Exception exception) when (exception is not HubException)
                    {
                        // The connection broke under the call (its node died): the outcome is unknown, so send the same id again.
                        _errors.Enqueue("disconnected");
                    }

                    await Task.Delay(250, CancellationToken.None);
                }

                await Task.Delay(Random.Shared.Next(700, 1300), CancellationToken.None);
            }
        }

        public Task<List<MessageDto>> ResyncAsync(string conversationId) => Client.ResyncAsync(conversationId);

        public ValueTask DisposeAsync() => Hub.DisposeAsync();

        private sealed class SteadyRetry : IRetryPolicy
        {
            public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
                retryContext.ElapsedTime < TimeSpan.FromSeconds(60) ? TimeSpan.FromMilliseconds(retryContext.PreviousRetryCount == 0 ? 0 : 300) : null;
        }
    }
}
