using System.Globalization;
using HdrHistogram;
using static Realtime.Bench.ScaleOutReport;

namespace Realtime.Bench;

/// <summary>
/// The run CI guards: Realtime, the raw relay (the upper bound) and the plain SignalR hub (what a team
/// would write on SignalR alone) under the same load, --repeat times; with --nodes, a cluster beside each
/// single node. Each table is the median run by Realtime's acked sends/s.
/// </summary>
internal static class ComparisonRun
{
    private sealed record Run(Measurements Realtime, Measurements Relay, Measurements Plain, Measurements? Cluster);

    public static async Task<int> RunAsync(BenchOptions options, CorePinning? pinning)
    {
        Console.WriteLine($"clients={options.Clients} groups={options.Groups} members={options.MembersPerGroup} rate={(options.Rate == 0 ? "closed-loop" : options.Rate)} duration={options.Duration.TotalSeconds}s warmup={options.Warmup.TotalSeconds}s protocol={options.Protocol} nodes={options.Nodes}{(options.Backplane ? " backplane=redis" : "")}{(options.Affinity ? " affinity=conversation" : "")}{(options.NodeCpu is { } cores ? $" cpu-per-node={cores.ToString(CultureInfo.InvariantCulture)}" : "")}{(options.ServerCores is { } pinned ? $" server-cores={pinned}" : "")} database={(options.Postgres is null ? "sqlite" : "postgresql")} cores={Environment.ProcessorCount}");
        var fsync = StorageProbe.Measure(Path.GetTempPath(), TimeSpan.FromSeconds(3));
        string Fsync(double percentile) => ((percentile >= 100 ? fsync.GetMaxValue() : fsync.GetValueAtPercentile(percentile)) / 1000.0).ToString("0.00", CultureInfo.InvariantCulture);
        Console.WriteLine($"storage: fsync of a 4 KB write in {Path.GetTempPath()} (idle machine, every persisted send waits for one): p50 {Fsync(50)} ms, p99 {Fsync(99)} ms, p99.9 {Fsync(99.9)} ms, max {Fsync(100)} ms");

        var runs = new List<Run>();
        for (var run = 0; run < options.Repeat; run++)
        {
            // Plain SignalR takes turns going first, so it does not always meet the same part of the machine's drift.
            Measurements? plain = null;
            if (run % 2 == 1)
            {
                plain = await RunPlainAsync(options, pinning);
            }

            Measurements single;
            await using (var node = await BenchCluster.StartAsync(1, options.Postgres, options.NodeCpu, options.Backplane, pinning))
            {
                single = await RealtimeRun.RunAsync(options, node.Nodes);
            }

            Measurements? clusterRun = null;
            if (options.Nodes > 1)
            {
                await using var nodes = await BenchCluster.StartAsync(options.Nodes, options.Postgres, options.NodeCpu, pinning: pinning);
                // A closed loop of the single node's clients spread over N nodes would offer each node a third of
                // its load, and measure how fast few clients can go rather than what a node can carry.
                var scaled = options with { Clients = options.Clients * options.Nodes, Groups = options.Groups * options.Nodes, Rate = options.Rate * options.Nodes };
                clusterRun = await RealtimeRun.RunAsync(scaled, nodes.Nodes);
                // A gap's wait holds its conversation's later messages on that node: what a cluster's p99 shows first.
                var gaps = await Task.WhenAll(nodes.Nodes.Select(async n => (ReadBack: await n.CounterAsync("realtime_delivery_gaps_total", "read_back"), PassedOver: await n.CounterAsync("realtime_delivery_gaps_total", "passed_over"))));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cluster run: delivery gaps whose wait ran out since the nodes started, set-up and warm-up included (each held its conversation's later messages on that node up to Chat:DeliveryGapWait): {string.Join(", ", gaps.Select((g, i) => $"node {i + 1} read back {g.ReadBack}, passed over {g.PassedOver}"))}"));
            }

            var relay = await RelayBaseline.RunAsync(options);
            plain ??= await RunPlainAsync(options, pinning);
            runs.Add(new Run(single, relay, plain, clusterRun));
        }

        var median = runs.OrderBy(r => r.Realtime.AckedPerSecond).ElementAt(runs.Count / 2);
        var (realtime, baseline, plainSignalR) = (median.Realtime, median.Relay, median.Plain);
        var clustered = runs.Where(r => r.Cluster is not null).Select(r => (Single: r.Realtime, Cluster: r.Cluster!)).ToList();
        var scaleOut = clustered.OrderBy(r => PerNodeOverOneNode(options, r.Cluster, r.Single)).ElementAtOrDefault(runs.Count / 2);

        var rows = ComparisonTable.Rows(realtime, baseline, plainSignalR);
        if (runs.Count > 1)
        {
            Console.WriteLine();
            Console.WriteLine($"{runs.Count} runs (acked sends/s, Realtime / relay = ratio, Realtime / plain SignalR = ratio, server CPU ms per 1,000 sends): " + string.Join("; ", runs.Select(r =>
                $"{F(r.Realtime.AckedPerSecond)} / {F(r.Relay.AckedPerSecond)} = {ComparisonTable.Ratio(r.Realtime.AckedPerSecond, r.Relay.AckedPerSecond, true)}, {F(r.Realtime.AckedPerSecond)} / {F(r.Plain.AckedPerSecond)} = {ComparisonTable.Ratio(r.Realtime.AckedPerSecond, r.Plain.AckedPerSecond, true)}, {F(r.Realtime.ServerCpuMsPerThousandSends ?? double.NaN)}")));
            Console.WriteLine("The table is the median run by Realtime's acked sends/s.");
        }

        ComparisonTable.Print(rows, realtime, plainSignalR);
        if (scaleOut.Cluster is not null)
        {
            ScaleOutReport.Print(options, clustered, scaleOut.Single, scaleOut.Cluster);
        }

        if (options.JsonPath is { } path)
        {
            var cluster = scaleOut.Cluster;
            await BenchJson.WriteAsync(path, new
            {
                options,
                machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.ToString() },
                fsyncMs = new { p50 = fsync.GetValueAtPercentile(50) / 1000.0, p99 = fsync.GetValueAtPercentile(99) / 1000.0, p999 = fsync.GetValueAtPercentile(99.9) / 1000.0, max = fsync.GetMaxValue() / 1000.0 },
                results = rows.Select(r => new
                {
                    r.Metric,
                    realtime = r.Ours,
                    baseline = r.Relay,
                    ratio = ComparisonTable.Ratio(r.Ours, r.Relay, r.HigherIsBetter),
                    plainSignalR = r.Plain,
                    plainSignalRRatio = ComparisonTable.Ratio(r.Ours, r.Plain, r.HigherIsBetter),
                }),
                runs = runs.Select(r => new
                {
                    realtimeAckedPerSecond = r.Realtime.AckedPerSecond,
                    baselineAckedPerSecond = r.Relay.AckedPerSecond,
                    plainSignalRAckedPerSecond = r.Plain.AckedPerSecond,
                    serverCpuMsPerThousandSends = r.Realtime.ServerCpuMsPerThousandSends,
                    plainSignalRServerCpuMsPerThousandSends = r.Plain.ServerCpuMsPerThousandSends,
                }),
                serverBytesPerConnection = realtime.ServerBytesPerConnection,
                errors = realtime.Errors,
                plainSignalRErrors = plainSignalR.Errors,
                scaleOut = cluster is null ? null : new
                {
                    nodes = options.Nodes,
                    ackedPerSecond = cluster.AckedPerSecond,
                    deliveredPerSecond = cluster.DeliveredPerSecond,
                    latencyP99Ms = cluster.LatencyMs(99),
                    serverCpuMsPerThousandSends = cluster.ServerCpuMsPerThousandSends,
                    serverCores = cluster.ServerCores,
                    machineBusy = cluster.MachineBusy,
                    perNodeDeliveriesOverOneNode = PerNodeOverOneNode(options, cluster, scaleOut.Single),
                    setBy = SetBy(options, cluster),
                    runs = clustered.Select(r => PerNodeOverOneNode(options, r.Cluster, r.Single)),
                    errors = cluster.Errors,
                },
            });
        }

        if (options.PlotPath is { } plot)
        {
            Plots.Save(plot, realtime, baseline);
            Console.WriteLine($"wrote {plot}");
        }

        var status = 0;
        if (scaleOut.Cluster is { } measuredCluster && options.ScaleGuard is { } scaleFloor)
        {
            var perNode = PerNodeOverOneNode(options, measuredCluster, scaleOut.Single);
            var passed = perNode >= scaleFloor && measuredCluster.Errors.IsEmpty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scale-out guard {(passed ? "passed" : "FAILED")}: deliveries/s per node over one node {perNode:0.000} (floor {scaleFloor:0.000}), errors {measuredCluster.Errors.Values.Sum()}"));
            status = passed ? 0 : 1;
            if (options.LatencyGuard is { } ceiling)
            {
                // The same per-node load: what crossing Redis and the ordering add to the slowest deliveries.
                var p99 = measuredCluster.LatencyMs(99) / scaleOut.Single.LatencyMs(99);
                var within = p99 <= ceiling;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster latency guard {(within ? "passed" : "FAILED")}: p99 of the cluster over one node {p99:0.00} (ceiling {ceiling:0.00})"));
                status = passed && within ? 0 : 1;
            }
        }

        if (options.Guard is { } floor)
        {
            var toRelay = realtime.AckedPerSecond / baseline.AckedPerSecond;
            var toPlain = realtime.AckedPerSecond / plainSignalR.AckedPerSecond;
            var passed = toRelay >= floor && toPlain >= floor && realtime.Errors.IsEmpty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"regression guard {(passed ? "passed" : "FAILED")}: acked sends/s ratio to the relay {toRelay:0.000}, to plain SignalR {toPlain:0.000} (floor {floor:0.000} for each), errors {realtime.Errors.Values.Sum()}"));
            return passed ? status : 1;
        }

        return status;
    }

    private static async Task<Measurements> RunPlainAsync(BenchOptions options, CorePinning? pinning)
    {
        await using var server = await ServerProcess.StartPlainSignalRAsync(pinning?.ServerCores(0), options.NodeCpu);
        return await PlainSignalRRun.RunAsync(options, server);
    }
}
