namespace Realtime.Bench;

/// <summary>One figure of a scenario: how to read it from a run, and the target for Realtime ÷ plain SignalR (null: reported only).</summary>
internal sealed record ScenarioMetric(string Name, Func<Measurements, double> Read, string? Target = null);

/// <summary>
/// The cost comparisons of issue 20, each a fixed shape of load that Realtime and the plain SignalR hub
/// both get from the same generator. Every figure is reported as Realtime ÷ plain SignalR.
/// </summary>
/// <param name="ConnectOnly">A connect scenario (<see cref="ConnectRun"/>): no send loop, the figures are the connect wave's.</param>
/// <param name="PooledNegotiation">The clients negotiate over one shared HTTP pool (<see cref="SharedNegotiation"/>).</param>
internal sealed record Scenario(string Name, string Shape, int Clients, int Groups, double Rate, IReadOnlyList<ScenarioMetric> Metrics, bool ConnectOnly = false, bool PooledNegotiation = false)
{
    public static readonly string[] Names = ["fanout", "pairs", "latency", "connect-pairs", "connect-groups", "connect-10k", "connect", "all"];

    // Below what Realtime carries on one core (about 25,000 deliveries/s before this work), so that both
    // servers do the same work and the figure is CPU per delivery, not how far behind a saturated core falls.
    public const double DefaultFanOutRate = 50;

    private static readonly ScenarioMetric SetUp = new("connect + join all groups, s", m => m.SetupTime.TotalSeconds);
    private static readonly ScenarioMetric Cores = new("server cores used", m => m.ServerCores ?? double.NaN);
    private static readonly ScenarioMetric Generator = new("load generator cores used", m => m.LoadGeneratorCores ?? double.NaN);

    private static readonly ScenarioMetric[] ConnectMetrics =
    [
        new("setup rate, clients/s (connect + in every conversation)", m => m.ConnectedCount / m.SetupTime.TotalSeconds, "≥ 0.5"),
        // Steadier than the rate, which moves with the hour: what one connect costs the server's core.
        new("server CPU per connect, ms", m => m.ServerCpu is { } cpu && m.ConnectedCount > 0 ? cpu.TotalMilliseconds / m.ConnectedCount : double.NaN),
        new("connect + join p50 ms", m => m.ConnectMs(50)),
        new("connect + join p99 ms", m => m.ConnectMs(99)),
        new("connect + join max ms", m => m.ConnectMs(100)),
    ];

    public static IReadOnlyList<Scenario> Select(BenchOptions options)
    {
        var fanOutRate = options.Rate > 0 ? options.Rate : DefaultFanOutRate;
        var all = new[]
        {
            new Scenario("fanout", $"5 groups of 200, {fanOutRate:0} sends/s", 1000, 5, fanOutRate,
            [
                new("server CPU µs per delivery", m => m.ServerCpuMicrosecondsPerDelivery, "≤ 1"),
                new("deliveries/s", m => m.DeliveredPerSecond),
                new("latency p99 ms", m => m.LatencyMs(99)),
                Cores, Generator, SetUp,
            ]),
            new Scenario("pairs", "100 conversations of 2, closed loop", 200, 100, 0,
            [
                new("server CPU µs per acked send", m => m.ServerCpuMicrosecondsPerSend, "≤ 2"),
                new("acked sends/s", m => m.AckedPerSecond),
                new("latency p99 ms", m => m.LatencyMs(99)),
                Cores, Generator, SetUp,
            ]),
            new Scenario("latency", "20 conversations of 10, every member sending, 2,000 sends/s", 200, 20, 2000,
            [
                new("latency p99 ms", m => m.LatencyMs(99), "≤ 2"),
                new("latency p50 ms", m => m.LatencyMs(50)),
                new("acked sends/s", m => m.AckedPerSecond),
                new("server CPU µs per acked send", m => m.ServerCpuMicrosecondsPerSend),
                Cores, Generator, SetUp,
            ]),
            new Scenario("connect-pairs", "200 clients connect into 100 conversations of 2", 200, 100, 0, ConnectMetrics, ConnectOnly: true),
            new Scenario("connect-groups", "2,000 clients connect into 20 conversations of 100", 2000, 20, 0, ConnectMetrics, ConnectOnly: true),
            // The issue's own size; by name only, as it takes minutes a run. A socket per client for its negotiate
            // besides its WebSocket would be 20,000 on each side, past the usual limit on open files.
            new Scenario("connect-10k", "10,000 clients connect into 100 conversations of 100", 10_000, 100, 0, ConnectMetrics, ConnectOnly: true, PooledNegotiation: true),
        };
        return options.Scenario switch
        {
            "all" => all.Where(s => s.Name != "connect-10k").ToList(),
            "connect" => all.Where(s => s.ConnectOnly && s.Name != "connect-10k").ToList(),
            _ => all.Where(s => s.Name == options.Scenario).ToList(),
        };
    }

    /// <summary>The run's options with this scenario's shape.</summary>
    public BenchOptions Apply(BenchOptions options) => options with { Clients = Clients, Groups = Groups, Rate = Rate, PooledNegotiation = PooledNegotiation };
}
