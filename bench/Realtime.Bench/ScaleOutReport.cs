using System.Globalization;

namespace Realtime.Bench;

/// <summary>The --nodes table: what each node of the cluster carried against the single node measured beside it.</summary>
internal static class ScaleOutReport
{
    /// <summary>What each node of the cluster delivered, over what the single node beside it delivered.</summary>
    public static double PerNodeOverOneNode(BenchOptions options, Measurements cluster, Measurements one) =>
        cluster.DeliveredPerSecond / options.Nodes / one.DeliveredPerSecond;

    // Nodes held to a budget compare as separate machines only while they, not the machine they share,
    // are what runs out: a cluster that leaves its budget unused on a full machine measures the machine.
    public static string? SetBy(BenchOptions options, Measurements cluster) => BudgetShare(options, cluster) is not { } share ? null
        : share >= 0.95
            ? string.Create(CultureInfo.InvariantCulture, $"The nodes set this figure: they used {share:P0} of their CPU budget, the machine was {cluster.MachineBusy:P0} busy.")
            : string.Create(CultureInfo.InvariantCulture, $"The machine set this figure, not the nodes: they used {share:P0} of their CPU budget while the machine was {cluster.MachineBusy:P0} busy. A smaller --node-cpu measures the nodes.");

    public static void Print(BenchOptions options, IReadOnlyList<(Measurements Single, Measurements Cluster)> runs, Measurements single, Measurements cluster)
    {
        var n = options.Nodes;
        if (runs.Count > 1)
        {
            Console.WriteLine();
            Console.WriteLine($"{runs.Count} scale-out runs (per node / one node, cluster's and single node's acked sends/s): " + string.Join("; ", runs.Select(r =>
                $"{F(PerNodeOverOneNode(options, r.Cluster, r.Single))} ({F(r.Cluster.AckedPerSecond)} against {F(r.Single.AckedPerSecond)}{BudgetUse(options, r.Cluster)})")));
            Console.WriteLine("The scale-out table is the median run by that ratio, against the single node of the same run.");
        }

        Console.WriteLine();
        Console.WriteLine($"| scale-out | 1 node, {options.Clients} clients | {n} nodes + Redis, {options.Clients * n} clients | per node / one node |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| acked sends/s | {F(single.AckedPerSecond)} | {F(cluster.AckedPerSecond)} | {F(cluster.AckedPerSecond / n / single.AckedPerSecond)} |");
        Console.WriteLine($"| deliveries/s | {F(single.DeliveredPerSecond)} | {F(cluster.DeliveredPerSecond)} | {F(cluster.DeliveredPerSecond / n / single.DeliveredPerSecond)} |");
        Console.WriteLine($"| latency p99 ms | {F(single.LatencyMs(99))} | {F(cluster.LatencyMs(99))} | cluster ÷ one node {F(cluster.LatencyMs(99) / single.LatencyMs(99))} |");
        Console.WriteLine($"| warm-up s (until every node's JIT was quiet) | {F(single.WarmUp.TotalSeconds)} | {F(cluster.WarmUp.TotalSeconds)} | - |");
        // All nodes together: what a send costs the cluster, against what it costs one node.
        Console.WriteLine($"| server CPU ms per 1,000 sends | {F(single.ServerCpuMsPerThousandSends ?? double.NaN)} | {F(cluster.ServerCpuMsPerThousandSends ?? double.NaN)} | - |");
        // Nodes below their budget while the machine is busy throughout: the box, not the nodes, set the figure.
        var budget = options.NodeCpu is { } perNode ? $" of {F(perNode)}" : "";
        var clusterBudget = options.NodeCpu is { } each ? $" of {F(each * n)}" : "";
        Console.WriteLine($"| server cores used{(options.NodeCpu is null ? "" : " (of the budget)")} | {F(single.ServerCores ?? double.NaN)}{budget} | {F(cluster.ServerCores ?? double.NaN)}{clusterBudget} | - |");
        Console.WriteLine($"| server CPU in the kernel | {Percent(single.ServerKernelShare)} | {Percent(cluster.ServerKernelShare)} | - |");
        Console.WriteLine($"| load generator cores used | {F(single.LoadGeneratorCores ?? double.NaN)} | {F(cluster.LoadGeneratorCores ?? double.NaN)} | - |");
        Console.WriteLine($"| whole machine CPU busy | {Percent(single.MachineBusy)} | {Percent(cluster.MachineBusy)} | - |");
        Console.WriteLine($"| errors | {(single.Errors.IsEmpty ? "none" : single.Errors.Values.Sum().ToString(CultureInfo.InvariantCulture))} | {(cluster.Errors.IsEmpty ? "none" : string.Join(", ", cluster.Errors.Select(e => $"{e.Key}: {e.Value}")))} | - |");
        if (SetBy(options, cluster) is { } setBy)
        {
            Console.WriteLine(setBy);
        }
    }

    private static double? BudgetShare(BenchOptions options, Measurements cluster) => cluster.ServerCores / (options.NodeCpu * options.Nodes);

    private static string BudgetUse(BenchOptions options, Measurements cluster) => BudgetShare(options, cluster) is { } share
        ? string.Create(CultureInfo.InvariantCulture, $", nodes at {share:P0} of their budget, machine {cluster.MachineBusy:P0} busy")
        : "";

    internal static string F(double value) => double.IsNaN(value) ? "-" : value.ToString(value >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture);

    internal static string Percent(double? share) => share is { } value && !double.IsNaN(value) ? value.ToString("P0", CultureInfo.InvariantCulture) : "-";
}
