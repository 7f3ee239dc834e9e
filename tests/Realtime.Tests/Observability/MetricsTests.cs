using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Observability;

/// <summary>
/// Runs alone: meters are process-wide by name, so another in-process server closing its connections
/// would move this server's connection gauge.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsIsolation
{
    public const string Name = "Metrics (alone)";
}

[Collection(MetricsIsolation.Name)]
public sealed partial class MetricsTests
{
    [Fact]
    public async Task Metrics_are_served_in_prometheus_format_and_move_with_traffic()
    {
        await using var server = await ChatServer.StartAsync();
        var before = Parse(await server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        await using var alice = await server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await server.ConnectAsync(Users.Unique("bob"));
        var conversation = await alice.Hub.CreateConversation("metrics", [bob.UserId]);
        for (var i = 0; i < 3; i++)
        {
            await alice.Hub.SendMessage(conversation.Id, $"m{i}", "counted");
        }

        await bob.Received.WaitForMessageAsync(conversation.Id, 3);
        await FluentActions.Awaiting(() => alice.Hub.SendMessage("no-such-conversation", "x", "y")).Should().ThrowAsync<HubException>();
        await FluentActions.Awaiting(() => alice.Hub.SendMessage(conversation.Id, "big", new string('x', 4001))).Should().ThrowAsync<HubException>();

        // The exporter caches a scrape briefly, and other servers in this test process share the meter
        // name, so wait for the counters to have moved by at least this test's traffic.
        var text = string.Empty;
        var after = before;
        await Eventually.HoldsAsync(
            async () =>
            {
                text = await server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                after = Parse(text);
                return Delta(before, after, "realtime_messages_persisted_total") >= 3;
            },
            "the persisted-messages counter moves");

        Delta(before, after, "realtime_send_duration_milliseconds_count").Should().BeGreaterThanOrEqualTo(3);
        after.Should().ContainKey("realtime_connections").WhoseValue.Should().BeGreaterThanOrEqualTo(2);
        Delta(before, after, "realtime_deliveries_total{event=\"MessageReceived\"}").Should().BeGreaterThanOrEqualTo(3);
        Delta(before, after, "realtime_errors_total{code=\"not_found\"}").Should().BeGreaterThanOrEqualTo(1);
        Delta(before, after, "realtime_errors_total{code=\"payload_too_large\"}").Should().BeGreaterThanOrEqualTo(1);
        Delta(before, after, "realtime_presence_transitions_total{state=\"online\"}").Should().BeGreaterThanOrEqualTo(2);
        text.Should().Contain("http_server_request_duration_seconds", "ASP.NET Core's own metrics are exported too");
    }

    [Fact]
    public async Task The_connection_gauge_counts_accepted_connections_only_and_comes_back_down_when_they_close()
    {
        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Chat:MaxConnectionsPerUser"] = "1" });
        async Task<double> GaugeAsync() => Parse(await server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).GetValueOrDefault("realtime_connections");
        var idle = await GaugeAsync();
        var user = Users.Unique("gauge");
        var token = await server.IssueTokenAsync(user);

        var accepted = await TestClient.ConnectAsync(server.BaseAddress, user, token, Realtime.Client.ChatProtocol.Json);
        await Eventually.HoldsAsync(async () => await GaugeAsync() == idle + 1, "the accepted connection is counted");
        await using (var refused = Realtime.Client.ChatClient.Create(server.BaseAddress, () => Task.FromResult<string?>(token)))
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            refused.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
            await refused.StartAsync();
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }

        (await GaugeAsync()).Should().Be(idle + 1, "a refused connection is neither counted nor uncounted");
        await accepted.DisposeAsync();

        await Eventually.HoldsAsync(async () => await GaugeAsync() == idle, "closing the accepted one takes the gauge back; the refused one never moved it");
    }

    private static double Delta(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after, string series) =>
        after.GetValueOrDefault(series) - before.GetValueOrDefault(series);

    /// <summary>Series (name plus the labels that matter here) to value, from the Prometheus text format.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var series = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = match.Groups["labels"].Value;
            var kept = string.Join(',', LabelPair().Matches(labels).Where(m => m.Groups[1].Value is "event" or "code" or "state").Select(m => m.Value));
            var key = kept.Length > 0 ? $"{match.Groups["name"].Value}{{{kept}}}" : match.Groups["name"].Value;
            series[key] = series.GetValueOrDefault(key) + double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return series;
    }

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?<labels>[^}]*)\\})? (?<value>[^ ]+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(\\w+)=\"[^\"]*\"")]
    private static partial Regex LabelPair();
}
