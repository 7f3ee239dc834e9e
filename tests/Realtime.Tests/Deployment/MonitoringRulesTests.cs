using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR;
using Realtime.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Realtime.Tests.Deployment;

/// <summary>
/// deploy/monitoring: promtool validates the rules and runs their unit tests, every alert can be acted on
/// and is tested both ways, every metric the rules and the dashboard read is one a real node exports, and
/// the prod overlay deploys the same rules.
/// </summary>
public sealed partial class MonitoringRulesTests
{
    private static readonly string Folder = Path.Combine(Infrastructure.Samples.RepositoryRoot, "deploy", "monitoring");

    private static readonly HashSet<string> PromQlWords = ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"];

    [Fact]
    public async Task Promtool_accepts_the_rules_and_their_unit_tests_pass()
    {
        var promtool = ExternalProcess.FindProgram("promtool", ["/usr/bin", "/usr/local/bin"]);

        (await ExternalProcess.RunAsync(promtool, ["check", "rules", Path.Combine(Folder, "rules.yml")])).Should().Contain("SUCCESS");
        (await ExternalProcess.RunAsync(promtool, ["test", "rules", Path.Combine(Folder, "rules.test.yml")])).Should().Contain("SUCCESS");
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_and_a_runbook_and_is_tested_firing_and_clearing()
    {
        var alerts = Rules().Where(r => r.Children.ContainsKey("alert")).ToList();
        alerts.Should().HaveCountGreaterThanOrEqualTo(9);
        var checks = Load("rules.test.yml")["tests"].AllNodes.OfType<YamlMappingNode>()
            .Where(n => n.Children.ContainsKey("alertname"))
            .Select(n => (Alert: Scalar(n, "alertname"), Time: Minutes(Scalar(n, "eval_time")), Fires: ((YamlSequenceNode)n["exp_alerts"]).Children.Count > 0))
            .ToList();

        foreach (var alert in alerts)
        {
            var name = Scalar(alert, "alert");
            Scalar((YamlMappingNode)alert["labels"], "severity").Should().BeOneOf("critical", "warning");
            Scalar((YamlMappingNode)alert["annotations"], "summary").Should().NotBeNullOrWhiteSpace($"{name} says what is wrong");
            Scalar((YamlMappingNode)alert["annotations"], "runbook").Should().NotBeNullOrWhiteSpace($"{name} says what to do");
            var fired = checks.Where(c => c.Alert == name && c.Fires).Select(c => c.Time).ToList();
            fired.Should().NotBeEmpty($"a unit test fires {name}");
            checks.Should().Contain(c => c.Alert == name && !c.Fires && c.Time > fired.Min(), $"a unit test sees {name} clear after it fired");
        }
    }

    [Fact]
    public async Task Every_metric_the_rules_and_the_dashboard_read_is_exported_by_a_node_after_traffic()
    {
        var rules = Rules().ToList();
        var recorded = rules.Where(r => r.Children.ContainsKey("record")).Select(r => Scalar(r, "record")).ToHashSet();
        var read = rules.Select(r => Scalar(r, "expr")).Concat(DashboardQueries().Select(q => q.Expression)).SelectMany(MetricsIn).ToHashSet();
        read.Where(name => name.Contains(':', StringComparison.Ordinal)).Should().BeSubsetOf(recorded, "every recorded series read is recorded in rules.yml");
        // up is written by Prometheus itself for every target.
        var exportable = read.Where(name => !name.Contains(':', StringComparison.Ordinal) && name != "up").ToList();
        exportable.Should().Contain(["realtime_send_duration_milliseconds_bucket", "realtime_health_status", "realtime_connections", "dotnet_process_memory_working_set_bytes"]);

        // A node of its own: in-process servers of other tests share this process's meters and listeners.
        var directory = Directory.CreateTempSubdirectory("realtime-monitoring-").FullName;
        await using var server = await ServerNode.StartAsync("monitored", new Dictionary<string, string>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Chat"] = $"Data Source={Path.Combine(directory, "chat.db")}",
        });
        await using (var alice = await server.ConnectAsync(Users.Unique("alice")))
        await using (var bob = await server.ConnectAsync(Users.Unique("bob")))
        {
            var conversation = await alice.Hub.CreateConversation("watched", [bob.UserId]);
            await alice.Hub.SendMessage(conversation.Id, "m1", "hello");
            await bob.Received.WaitForMessageAsync(conversation.Id, 1);
            await FluentActions.Awaiting(() => alice.Hub.SendMessage("no-such-conversation", "m2", "hello")).Should().ThrowAsync<HubException>();
        }

        var missing = exportable;
        var exportedInTime = Eventually.HoldsAsync(
            async () =>
            {
                var exported = MetricNameLine().Matches(await server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)))
                    .Select(m => m.Groups[1].Value).ToHashSet();
                missing = exportable.Where(name => !exported.Contains(name)).ToList();
                return missing.Count == 0;
            },
            "every metric the rules read is exported (the health gauge after the first readiness run)");
        // On a timeout, name what is missing rather than only that something is.
        await FluentActions.Awaiting(() => exportedInTime).Should().NotThrowAsync($"these are not exported: {string.Join(", ", missing)}");
        missing.Should().BeEmpty();
    }

    [Fact]
    public void The_dashboard_shows_connections_sends_deliveries_latency_errors_and_presence_per_node_and_for_the_cluster()
    {
        var queries = DashboardQueries();

        foreach (var topic in new[] { "Connections", "Sends", "Deliveries", "Send latency", "Errors by code", "Presence" })
        {
            var panel = queries.Where(q => q.Panel.StartsWith(topic, StringComparison.Ordinal)).ToList();
            panel.Should().Contain(q => q.Legend.Contains("{{instance}}", StringComparison.Ordinal), $"{topic} is shown per node");
            panel.Should().Contain(q => !q.Legend.Contains("{{instance}}", StringComparison.Ordinal), $"{topic} is shown for the cluster");
        }

        queries.Where(q => q.Panel == "Send latency").Select(q => q.Expression).Should().Contain(e => e.Contains("p50", StringComparison.Ordinal))
            .And.Contain(e => e.Contains("p95", StringComparison.Ordinal)).And.Contain(e => e.Contains("p99", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_prod_overlay_deploys_the_same_rules_as_a_PrometheusRule_and_scrapes_the_nodes_as_job_realtime()
    {
        var kubectl = ExternalProcess.FindProgram("kubectl", ["/usr/bin", "/usr/local/bin"]);
        var rendered = new YamlStream();
        rendered.Load(new StringReader(await ExternalProcess.RunAsync(kubectl, ["kustomize", Path.Combine(Infrastructure.Samples.RepositoryRoot, "deploy", "k8s", "overlays", "prod")])));
        var objects = rendered.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();

        var rule = objects.Single(o => Scalar(o, "kind") == "PrometheusRule");
        Canonical(((YamlMappingNode)rule["spec"])["groups"]).Should().Be(Canonical(Load("rules.yml")["groups"]), "the PrometheusRule carries rules.yml as it is");

        var monitor = objects.Single(o => Scalar(o, "kind") == "ServiceMonitor");
        var service = objects.Single(o => Scalar(o, "kind") == "Service" && Scalar((YamlMappingNode)o["metadata"], "name") == "realtime");
        Canonical(((YamlMappingNode)((YamlMappingNode)monitor["spec"])["selector"])["matchLabels"])
            .Should().Be(Canonical(((YamlMappingNode)service["metadata"])["labels"]), "the Prometheus Operator names the job after this Service: realtime");
        var endpoint = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)monitor["spec"])["endpoints"]).Children.Single();
        Scalar(endpoint, "path").Should().Be("/metrics");
        ((YamlSequenceNode)((YamlMappingNode)service["spec"])["ports"]).Children.Cast<YamlMappingNode>().Select(p => Scalar(p, "name")).Should().Contain(Scalar(endpoint, "port"));
    }

    private static List<(string Panel, string Expression, string Legend)> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "dashboard.json")));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray().Select(target => (
                panel.GetProperty("title").GetString()!,
                target.GetProperty("expr").GetString()!,
                target.GetProperty("legendFormat").GetString()!)))
            .ToList();
    }

    /// <summary>A YAML tree as one string, whatever its layout or quoting, to compare two trees.</summary>
    private static string Canonical(YamlNode node) => node switch
    {
        YamlScalarNode scalar => JsonSerializer.Serialize(scalar.Value),
        YamlSequenceNode sequence => "[" + string.Join(",", sequence.Children.Select(Canonical)) + "]",
        YamlMappingNode mapping => "{" + string.Join(",", mapping.Children.OrderBy(c => ((YamlScalarNode)c.Key).Value, StringComparer.Ordinal).Select(c => $"{Canonical(c.Key)}:{Canonical(c.Value)}")) + "}",
        _ => string.Empty,
    };

    /// <summary>The series names a PromQL expression reads: no functions, keywords, label names or durations.</summary>
    private static IEnumerable<string> MetricsIn(string expression)
    {
        var text = Quoted().Replace(expression, string.Empty);
        text = LabelMatchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = Groupings().Replace(text, " ");
        return Identifier().Matches(text).Select(m => m.Value).Where(word => !PromQlWords.Contains(word));
    }

    private static IEnumerable<YamlMappingNode> Rules() =>
        ((YamlSequenceNode)Load("rules.yml")["groups"]).Children.Cast<YamlMappingNode>()
            .SelectMany(group => ((YamlSequenceNode)group["rules"]).Children.Cast<YamlMappingNode>());

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Folder, file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static int Minutes(string duration) =>
        duration.EndsWith('h') ? 60 * int.Parse(duration[..^1], System.Globalization.CultureInfo.InvariantCulture) : int.Parse(duration[..^1], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Groupings();

    [GeneratedRegex(@"(?<![a-zA-Z0-9_:.])[a-zA-Z_:][a-zA-Z0-9_:]*(?![a-zA-Z0-9_:(])(?!\s*\()")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", RegexOptions.Multiline)]
    private static partial Regex MetricNameLine();
}
