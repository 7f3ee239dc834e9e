using System.Globalization;
using Realtime.Bench;

// dotnet run -c Release --project bench/Realtime.Bench -- [--clients 100] [--groups 10] [--rate 0] [--duration 10] [--warmup 15] [--protocol mixed] [--nodes 1] [--node-cpu C] [--server-cores N] [--repeat 1] [--json out.json] [--plot out.png]
// Without --scenario: Realtime against the raw relay and the plain SignalR hub (bench/PlainSignalR), the same load for all three.
// --guard R: exit 1 when Realtime's acked sends/s fall below R times the relay's or R times plain SignalR's
// (a CI regression guard on the ratios, never on absolute times, which depend on the machine).
// --scale-guard R (with --nodes): exit 1 when each node of the cluster delivers less than R times what
// the single node delivered, or the cluster run had errors; with --latency-guard R also when the cluster's p99
// is more than R times the single node's.
// --idle N: hold N idle connections and report the server's memory per connection instead, beside plain
// SignalR's and a bare Kestrel WebSocket's (IdleReport.cs); --hold S keeps each server's connections S seconds
// once measured and prints its process id, for a heap dump (dotnet-gcdump collect -p PID).
// --groups G (with --idle): the connections are in G conversations on both servers (Realtime's joined at connect).
// --memory-guard R (with --idle): exit 1 when Realtime's memory per connection is more than R times plain SignalR's.
// --max-kb K (with --idle): exit 1 when a connection costs the server more than K KB (a CI guard set
// well above the measured figure, so only a large regression fails it).
// --scenario connect-pairs|connect-groups|connect: C clients connect at once into conversations that exist
// (200 into 100 of 2, 2,000 into 20 of 100; connect-10k, by name only: 10,000 into 100 of 100): setup rate and
// connect times, Realtime ÷ plain SignalR (ConnectRun.cs);
// --connect-guard R: exit 1 when a setup rate falls below R times plain SignalR's, or Realtime had errors.
// --warm-waves K (with a connect scenario): K whole waves connect and leave before the measured one (a warm node).
// --scenario fanout|pairs|latency|all: the cost comparisons with plain SignalR instead (see Scenario.cs,
// docs/benchmark.md): fan-out in 5 groups of 200 at --rate sends/s (default 50), 100 conversations of 2
// in a closed loop, 20 conversations of 10 at 2,000 sends/s; MessagePack unless --protocol says otherwise.
// Every figure is Realtime ÷ plain SignalR, the median of --repeat runs that take turns going first.
// --server-cores N: each server process (a Realtime node, plain SignalR) on its own N cores, the load
// generator (with the relay and Redis) on the rest: on two cores, the server on core 1, the generator on core 0.
// --repeat N (1-9): N runs of each server; each table is its median run, every run is listed.
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
// --mix S,R,E: one node, sends only against a mix of S % sends, R % reactions and E % edits (MixRun.cs);
// --mix-guard R: exit 1 when the mix's acknowledged operations/s fall below R times the sends-only rate, or on errors.
// --fixed-warmup: warm up for exactly --warmup seconds instead of until the server's JIT is quiet (at least 30 s a run):
// for the short CI guards, whose floor is set well below what a fully warmed run measures.
// --routing: four nodes on Redis, conversations on one node or split over two, --rate sends/s (default 200):
// what each node reads from Redis against what its members' conversations carried; exit 1 when a node reads
// more than 1.5 times that.
// --full-speed: time to full speed (FullSpeedRun.cs): a fresh node loaded from its start, acked sends per second
// of its life until --duration s; --server-env K=V,K=V and --server-dll try runtime settings and builds.
// --storm: the reconnect storm (StormRun.cs): three nodes on Redis, --clients users (default 100; the issue's
// figure is 3,000) in --groups conversations spanning the nodes, sending --rate sends/s (default 100); after
// --warmup s the node holding the most clients is killed with SIGKILL; --duration s later sends stop. Then the
// same on three plain SignalR hubs on SignalR's Redis backplane (--no-plain skips it). Exit 1 unless every
// client holds its conversation's whole log.
// Everything runs on 127.0.0.1 and stops by itself.
var options = BenchOptions.Parse(args);
CorePinning? pinning = null;
if (options.ServerCores is { } serverCores)
{
    // Only the scenarios and the idle run start one server at a time; the comparison may start a cluster.
    pinning = CorePinning.Create(serverCores, options.Scenario is null && options.Idle == 0 ? options.Nodes : 1);
    pinning.PinLoadGenerator();
    Console.WriteLine($"pinned: the (first) server on cores {pinning.ServerCores(0)}, the load generator on cores {pinning.GeneratorCores}");
}

if (options.Idle > 0)
{
    var hold = args.SkipWhile(a => a != "--hold").Skip(1).Select(s => TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture))).FirstOrDefault();
    return await IdleReport.RunAsync(options, pinning, inGroups: args.Contains("--groups"), hold);
}

if (options.FullSpeed)
{
    // --server-env K=V,K=V: runtime settings for the node alone; --server-dll: another build of it; --label: the table's row name.
    string? Argument(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    var serverEnvironment = (Argument("--server-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
    Console.WriteLine("| setting | time to 90 % of steady | steady acked sends/s | ready at | first send at | errors |\n|---|---|---|---|---|---|");
    return await FullSpeedRun.RunAsync(options, pinning, serverEnvironment, Argument("--server-dll"), Argument("--label") ?? "default");
}

if (options.Storm)
{
    // Three nodes and the generator share the machine: no pinning (three servers leave no core of their own).
    var storm = await StormRun.RunAsync(options);
    var plainStorm = options.StormPlain ? await PlainStorm.RunAsync(options) : null;
    StormReport.Print(storm, plainStorm);
    if (options.JsonPath is { } stormJson)
    {
        await BenchJson.WriteAsync(stormJson, new { options, machine = new { cores = Environment.ProcessorCount }, realtime = storm, plain = plainStorm });
    }

    return storm.Passed ? 0 : 1;
}

if (options.Routing)
{
    return await RoutingRun.RunAsync(options, pinning);
}

if (options.Mix is not null)
{
    return await MixRun.RunAsync(options, pinning);
}

if (options.Scenario is not null)
{
    Console.WriteLine($"scenario={options.Scenario} duration={options.Duration.TotalSeconds}s warmup={options.Warmup.TotalSeconds}s protocol={options.Protocol} repeat={options.Repeat} server-cores={(options.ServerCores is { } n ? n.ToString(CultureInfo.InvariantCulture) : "unpinned")} database={(options.Postgres is null ? "sqlite" : "postgresql")} cores={Environment.ProcessorCount}");
    var results = await ScenarioRun.RunAsync(options, pinning);
    ScenarioResult.Print(results);
    if (options.JsonPath is { } path)
    {
        await BenchJson.WriteAsync(path, new { options, machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.ToString() }, scenarios = results });
    }

    if (options.ConnectGuard is { } floor)
    {
        // The setup rate's ratio to plain SignalR in the same run: each connect scenario's headline figure.
        var rates = results.Select(r => (r.Scenario, Ratio: r.Metrics[0].Ratio, Errors: r.RealtimeErrors.Values.Sum())).ToList();
        var passed = rates.All(r => r.Ratio >= floor && r.Errors == 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"connect guard {(passed ? "passed" : "FAILED")}: setup rate ÷ plain SignalR {string.Join(", ", rates.Select(r => $"{r.Scenario} {r.Ratio:0.00} ({r.Errors} errors)"))} (floor {floor:0.00}, no errors)"));
        return passed ? 0 : 1;
    }

    return 0;
}

return await ComparisonRun.RunAsync(options, pinning);
