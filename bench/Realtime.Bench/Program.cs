using System.Globalization;
using System.Text.Json;
using HdrHistogram;
using Realtime.Bench;

// dotnet run -c Release --project bench/Realtime.Bench -- [--clients 100] [--groups 10] [--rate 0] [--duration 10] [--warmup 15] [--protocol mixed] [--nodes 1] [--node-cpu C] [--repeat 1] [--json out.json] [--plot out.png]
// --guard R: exit 1 when Realtime's acked sends/s fall below R times the baseline's (a CI regression
// guard on the ratio, never on absolute times, which depend on the machine).
// --scale-guard R (with --nodes): exit 1 when each node of the cluster delivers less than R times what
// the single node delivered, or the cluster run had errors.
// --idle N: hold N idle connections and report the server's memory per connection instead.
// --max-kb K (with --idle): exit 1 when a connection costs the server more than K KB (a CI guard set
// well above the measured figure, so only a large regression fails it).
// --repeat N (1-9): N runs of Realtime and the relay (and of the cluster, with --nodes); each table is
// its median run, every run is listed.
// --rate is total sends per second (0: every client sends as soon as its previous send is acknowledged).
// --postgres "Host=127.0.0.1;Port=5440;Username=postgres": run the nodes on a fresh database on that server.
// --nodes N (2-5): also run N times the load (N times the clients, conversations and --rate) on N nodes
// with a Redis backplane, so each node carries what the single node carried; clients are spread
// round-robin, so every conversation spans the nodes. Each node's share is compared with the single node.
// --node-cpu C: hold every node, in the one-node run and the cluster alike, to C cores (a Linux cgroup;
// root only), so that nodes sharing one machine compare as separate machines would. The relay is not held.
// The scale-out table then says whether the nodes (every node used its whole budget) or the machine set the figure.
// --affinity (with --nodes): every conversation's members talk to one node, as if the load balancer
// routed by conversation (by default clients are spread round-robin, so every conversation spans the nodes).
// --backplane: the single node runs on a Redis backplane too, so that what the backplane costs a node
// shows apart from what more nodes cost.
// Everything runs on 127.0.0.1 and stops by itself.
var options = BenchOptions.Parse(args);
if (options.Idle > 0)
{
    // --idle N: only the memory question: N idle connections, the server's resident bytes per connection.
    await using var idleServer = await BenchCluster.StartAsync(1, options.Postgres);
    var (perConnection, connectTime) = await IdleRun.RunAsync(options.Idle, idleServer.Nodes[0]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| idle connections | {options.Idle:N0} |\n| connect time (all) | {connectTime.TotalSeconds:0.0} s |\n| server memory per idle connection | {perConnection / 1024:0.0} KB |"));
    if (options.MaxKilobytesPerConnection is { } ceiling)
    {
        var within = perConnection > 0 && perConnection / 1024 <= ceiling;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory guard {(within ? "passed" : "FAILED")}: {perConnection / 1024:0.0} KB per idle connection (ceiling {ceiling:0.0} KB)"));
        return within ? 0 : 1;
    }

    return 0;
}

Console.WriteLine($"clients={options.Clients} groups={options.Groups} members={options.MembersPerGroup} rate={(options.Rate == 0 ? "closed-loop" : options.Rate)} duration={options.Duration.TotalSeconds}s warmup={options.Warmup.TotalSeconds}s protocol={options.Protocol} nodes={options.Nodes}{(options.Backplane ? " backplane=redis" : "")}{(options.Affinity ? " affinity=conversation" : "")}{(options.NodeCpu is { } cores ? $" cpu-per-node={cores.ToString(CultureInfo.InvariantCulture)}" : "")} database={(options.Postgres is null ? "sqlite" : "postgresql")} cores={Environment.ProcessorCount}");

var fsync = StorageProbe.Measure(Path.GetTempPath(), TimeSpan.FromSeconds(3));
string Fsync(double percentile) => ((percentile >= 100 ? fsync.GetMaxValue() : fsync.GetValueAtPercentile(percentile)) / 1000.0).ToString("0.00", CultureInfo.InvariantCulture);
Console.WriteLine($"storage: fsync of a 4 KB write in {Path.GetTempPath()} (idle machine, every persisted send waits for one): p50 {Fsync(50)} ms, p99 {Fsync(99)} ms, p99.9 {Fsync(99.9)} ms, max {Fsync(100)} ms");

// The machine's own speed drifts between runs, so --repeat N runs Realtime and the relay N times
// (fresh nodes and database each time) and reports the median run, with every run listed. With
// --nodes, each run also measures the cluster right after its single node, and the scale-out figure
// is the median of the runs' own ratios: each cluster is compared with the node measured beside it.
var runs = new List<(Measurements Realtime, Measurements Baseline, Measurements? Cluster)>();
for (var run = 0; run < options.Repeat; run++)
{
    Measurements single;
    await using (var node = await BenchCluster.StartAsync(1, options.Postgres, options.NodeCpu, options.Backplane))
    {
        single = await RealtimeRun.RunAsync(options, node.Nodes);
    }

    Measurements? clusterRun = null;
    if (options.Nodes > 1)
    {
        await using var nodes = await BenchCluster.StartAsync(options.Nodes, options.Postgres, options.NodeCpu);
        // A closed loop of the single node's clients spread over N nodes would offer each node a third of
        // its load, and measure how fast few clients can go rather than what a node can carry.
        var scaled = options with { Clients = options.Clients * options.Nodes, Groups = options.Groups * options.Nodes, Rate = options.Rate * options.Nodes };
        clusterRun = await RealtimeRun.RunAsync(scaled, nodes.Nodes);
    }

    runs.Add((single, await RelayBaseline.RunAsync(options), clusterRun));
}

var (realtime, baseline, _) = runs.OrderBy(r => r.Realtime.AckedPerSecond).ElementAt(runs.Count / 2);

// The scale-out figure: what each node of the cluster delivered, over what the single node beside it delivered.
double PerNodeOverOneNode(Measurements c, Measurements one) => c.DeliveredPerSecond / options.Nodes / one.DeliveredPerSecond;
var scaleOutRun = runs.Where(r => r.Cluster is not null).OrderBy(r => PerNodeOverOneNode(r.Cluster!, r.Realtime)).ElementAtOrDefault(runs.Count / 2);
var cluster = scaleOutRun.Cluster;
var clusterSingle = scaleOutRun.Realtime;

// Nodes held to a budget compare as separate machines only while they, not the machine they share,
// are what runs out: a cluster that leaves its budget unused on a full machine measures the machine.
double? BudgetShare(Measurements clusterRun) => clusterRun.ServerCores / (options.NodeCpu * options.Nodes);
string BudgetUse(Measurements clusterRun) => BudgetShare(clusterRun) is { } share
    ? string.Create(CultureInfo.InvariantCulture, $", nodes at {share:P0} of their budget, machine {clusterRun.MachineBusy:P0} busy")
    : "";
string? SetBy(Measurements clusterRun) => BudgetShare(clusterRun) is not { } share ? null
    : share >= 0.95
        ? string.Create(CultureInfo.InvariantCulture, $"The nodes set this figure: they used {share:P0} of their CPU budget, the machine was {clusterRun.MachineBusy:P0} busy.")
        : string.Create(CultureInfo.InvariantCulture, $"The machine set this figure, not the nodes: they used {share:P0} of their CPU budget while the machine was {clusterRun.MachineBusy:P0} busy. A smaller --node-cpu measures the nodes.");

string F(double value) => double.IsNaN(value) ? "-" : value.ToString(value >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture);
string Percent(double? share) => share is { } value && !double.IsNaN(value) ? value.ToString("P0", CultureInfo.InvariantCulture) : "-";
string Ratio(double ours, double theirs, bool higherIsBetter) =>
    double.IsNaN(ours) || double.IsNaN(theirs) || theirs == 0 ? "-" : (higherIsBetter ? ours / theirs : theirs / ours).ToString("0.00", CultureInfo.InvariantCulture);

var rows = new List<(string Metric, double Ours, double Theirs, bool HigherIsBetter)>
{
    ("acked sends/s", realtime.AckedPerSecond, baseline.AckedPerSecond, true),
    ("deliveries/s", realtime.DeliveredPerSecond, baseline.DeliveredPerSecond, true),
    ("latency p50 ms", realtime.LatencyMs(50), baseline.LatencyMs(50), false),
    ("latency p90 ms", realtime.LatencyMs(90), baseline.LatencyMs(90), false),
    ("latency p99 ms", realtime.LatencyMs(99), baseline.LatencyMs(99), false),
    ("latency p99.9 ms", realtime.LatencyMs(99.9), baseline.LatencyMs(99.9), false),
    ("latency max ms", realtime.LatencyMs(100), baseline.LatencyMs(100), false),
    ("connect p50 ms", realtime.ConnectMs(50), baseline.ConnectMs(50), false),
    ("connect max ms", realtime.ConnectMs(100), baseline.ConnectMs(100), false),
    ("server CPU ms per 1,000 sends", realtime.ServerCpuMsPerThousandSends ?? double.NaN, double.NaN, false),
};

if (runs.Count > 1)
{
    Console.WriteLine();
    Console.WriteLine($"{runs.Count} runs (acked sends/s, Realtime / relay = ratio, server CPU ms per 1,000 sends): " + string.Join("; ", runs.Select(r =>
        $"{F(r.Realtime.AckedPerSecond)} / {F(r.Baseline.AckedPerSecond)} = {Ratio(r.Realtime.AckedPerSecond, r.Baseline.AckedPerSecond, true)}, {F(r.Realtime.ServerCpuMsPerThousandSends ?? double.NaN)}")));
    Console.WriteLine("The table is the median run by Realtime's acked sends/s.");
}

Console.WriteLine();
Console.WriteLine("| metric | Realtime | baseline relay | ratio (1 = as good as the baseline) |");
Console.WriteLine("|---|---|---|---|");
foreach (var (metric, ours, theirs, higher) in rows)
{
    Console.WriteLine($"| {metric} | {F(ours)} | {F(theirs)} | {Ratio(ours, theirs, higher)} |");
}

Console.WriteLine($"| warm-up s (Realtime: until every node's JIT was quiet; relay: --warmup) | {F(realtime.WarmUp.TotalSeconds)} | {F(baseline.WarmUp.TotalSeconds)} | - |");
Console.WriteLine($"| server cores used | {F(realtime.ServerCores ?? double.NaN)} | - | - |");
Console.WriteLine($"| server CPU in the kernel | {Percent(realtime.ServerKernelShare)} | - | - |");
Console.WriteLine($"| load generator cores used | {F(realtime.LoadGeneratorCores ?? double.NaN)} | - | - |");
Console.WriteLine($"| whole machine CPU busy | {Percent(realtime.MachineBusy)} | - | - |");
Console.WriteLine($"| server memory per connection | {(realtime.ServerBytesPerConnection is { } b ? F(b / 1024) + " KB" : "-")} | - | - |");
Console.WriteLine($"| errors | {(realtime.Errors.IsEmpty ? "none" : string.Join(", ", realtime.Errors.Select(e => $"{e.Key}: {e.Value}")))} | - | - |");

if (cluster is not null)
{
    var n = options.Nodes;
    if (runs.Count > 1)
    {
        Console.WriteLine();
        Console.WriteLine($"{runs.Count} scale-out runs (per node / one node, cluster's and single node's acked sends/s): " + string.Join("; ", runs.Select(r =>
            $"{F(PerNodeOverOneNode(r.Cluster!, r.Realtime))} ({F(r.Cluster!.AckedPerSecond)} against {F(r.Realtime.AckedPerSecond)}{BudgetUse(r.Cluster!)})")));
        Console.WriteLine("The scale-out table is the median run by that ratio, against the single node of the same run.");
    }

    Console.WriteLine();
    Console.WriteLine($"| scale-out | 1 node, {options.Clients} clients | {n} nodes + Redis, {options.Clients * n} clients | per node / one node |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine($"| acked sends/s | {F(clusterSingle.AckedPerSecond)} | {F(cluster.AckedPerSecond)} | {Ratio(cluster.AckedPerSecond / n, clusterSingle.AckedPerSecond, true)} |");
    Console.WriteLine($"| deliveries/s | {F(clusterSingle.DeliveredPerSecond)} | {F(cluster.DeliveredPerSecond)} | {Ratio(cluster.DeliveredPerSecond / n, clusterSingle.DeliveredPerSecond, true)} |");
    Console.WriteLine($"| latency p99 ms | {F(clusterSingle.LatencyMs(99))} | {F(cluster.LatencyMs(99))} | - |");
    Console.WriteLine($"| warm-up s (until every node's JIT was quiet) | {F(clusterSingle.WarmUp.TotalSeconds)} | {F(cluster.WarmUp.TotalSeconds)} | - |");
    // All nodes together: what a send costs the cluster, against what it costs one node.
    Console.WriteLine($"| server CPU ms per 1,000 sends | {F(clusterSingle.ServerCpuMsPerThousandSends ?? double.NaN)} | {F(cluster.ServerCpuMsPerThousandSends ?? double.NaN)} | - |");
    // Nodes below their budget while the machine is busy throughout: the box, not the nodes, set the figure.
    var budget = options.NodeCpu is { } perNode ? $" of {F(perNode)}" : "";
    var clusterBudget = options.NodeCpu is { } each ? $" of {F(each * n)}" : "";
    Console.WriteLine($"| server cores used{(options.NodeCpu is null ? "" : " (of the budget)")} | {F(clusterSingle.ServerCores ?? double.NaN)}{budget} | {F(cluster.ServerCores ?? double.NaN)}{clusterBudget} | - |");
    Console.WriteLine($"| server CPU in the kernel | {Percent(clusterSingle.ServerKernelShare)} | {Percent(cluster.ServerKernelShare)} | - |");
    Console.WriteLine($"| load generator cores used | {F(clusterSingle.LoadGeneratorCores ?? double.NaN)} | {F(cluster.LoadGeneratorCores ?? double.NaN)} | - |");
    Console.WriteLine($"| whole machine CPU busy | {Percent(clusterSingle.MachineBusy)} | {Percent(cluster.MachineBusy)} | - |");
    Console.WriteLine($"| errors | {(clusterSingle.Errors.IsEmpty ? "none" : clusterSingle.Errors.Values.Sum().ToString(CultureInfo.InvariantCulture))} | {(cluster.Errors.IsEmpty ? "none" : string.Join(", ", cluster.Errors.Select(e => $"{e.Key}: {e.Value}")))} | - |");
    if (SetBy(cluster) is { } setBy)
    {
        Console.WriteLine(setBy);
    }
}

if (options.JsonPath is { } path)
{
    var report = new
    {
        options,
        machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.ToString() },
        fsyncMs = new { p50 = fsync.GetValueAtPercentile(50) / 1000.0, p99 = fsync.GetValueAtPercentile(99) / 1000.0, p999 = fsync.GetValueAtPercentile(99.9) / 1000.0, max = fsync.GetMaxValue() / 1000.0 },
        results = rows.Select(r => new { r.Metric, realtime = r.Ours, baseline = r.Theirs, ratio = Ratio(r.Ours, r.Theirs, r.HigherIsBetter) }),
        runs = runs.Select(r => new { realtimeAckedPerSecond = r.Realtime.AckedPerSecond, baselineAckedPerSecond = r.Baseline.AckedPerSecond, serverCpuMsPerThousandSends = r.Realtime.ServerCpuMsPerThousandSends }),
        serverBytesPerConnection = realtime.ServerBytesPerConnection,
        errors = realtime.Errors,
        scaleOut = cluster is null ? null : new
        {
            nodes = options.Nodes,
            ackedPerSecond = cluster.AckedPerSecond,
            deliveredPerSecond = cluster.DeliveredPerSecond,
            latencyP99Ms = cluster.LatencyMs(99),
            serverCpuMsPerThousandSends = cluster.ServerCpuMsPerThousandSends,
            serverCores = cluster.ServerCores,
            machineBusy = cluster.MachineBusy,
            perNodeDeliveriesOverOneNode = PerNodeOverOneNode(cluster, clusterSingle),
            setBy = SetBy(cluster),
            runs = runs.Select(r => PerNodeOverOneNode(r.Cluster!, r.Realtime)),
            errors = cluster.Errors,
        },
    };
    await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    Console.WriteLine($"wrote {path}");
}

if (options.PlotPath is { } plot)
{
    Plots.Save(plot, realtime, baseline);
    Console.WriteLine($"wrote {plot}");
}

var status = 0;
if (cluster is not null && options.ScaleGuard is { } scaleFloor)
{
    var perNode = PerNodeOverOneNode(cluster, clusterSingle);
    var passed = perNode >= scaleFloor && cluster.Errors.IsEmpty;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scale-out guard {(passed ? "passed" : "FAILED")}: deliveries/s per node over one node {perNode:0.000} (floor {scaleFloor:0.000}), errors {cluster.Errors.Values.Sum()}"));
    status = passed ? 0 : 1;
}

if (options.Guard is { } floor)
{
    var ratio = realtime.AckedPerSecond / baseline.AckedPerSecond;
    var verdict = ratio >= floor && realtime.Errors.IsEmpty ? "passed" : "FAILED";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"regression guard {verdict}: acked sends/s ratio {ratio:0.000} (floor {floor:0.000}), errors {realtime.Errors.Values.Sum()}"));
    return verdict == "passed" ? status : 1;
}

return status;
