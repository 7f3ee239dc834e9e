using System.Globalization;

namespace Realtime.Bench;

/// <summary>Command line: every count and duration is bounded, and every target is on loopback.</summary>
internal sealed record BenchOptions(int Clients, int Groups, double Rate, TimeSpan Duration, TimeSpan Warmup, string Protocol, string? JsonPath, double? Guard, string? PlotPath, int Idle, double? MaxKilobytesPerConnection, int Nodes, string? Postgres, int Repeat, double? NodeCpu, double? ScaleGuard, bool Backplane, bool Affinity, int? ServerCores, string? Scenario, bool Routing, double? LatencyGuard, double? ConnectGuard, double? MemoryGuard, LogMix? Mix = null, double? MixGuard = null, bool FixedWarmup = false, bool Storm = false, bool StormPlain = true, bool FullSpeed = false, bool PooledNegotiation = false, int WarmWaves = 0)
{
    public int MembersPerGroup => Math.Max(1, Clients / Groups);

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        double Number(string name, double fallback) => Value(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var options = new BenchOptions(
            Clients: (int)Math.Clamp(Number("--clients", 100), 2, 5000),
            Groups: (int)Math.Clamp(Number("--groups", 10), 1, 1000),
            Rate: Math.Clamp(Number("--rate", 0), 0, 100_000),
            Duration: TimeSpan.FromSeconds(Math.Clamp(Number("--duration", 10), 1, 300)),
            Warmup: TimeSpan.FromSeconds(Math.Clamp(Number("--warmup", 15), 0, 120)),
            // The scenarios compare as a new user would, on MessagePack; the CI run keeps both protocols.
            Protocol: Value("--protocol") ?? (Value("--scenario") is null ? "mixed" : "messagepack"),
            JsonPath: Value("--json"),
            Guard: Value("--guard") is { } g ? double.Parse(g, CultureInfo.InvariantCulture) : null,
            PlotPath: Value("--plot"),
            Idle: (int)Math.Clamp(Number("--idle", 0), 0, 20_000),
            MaxKilobytesPerConnection: Value("--max-kb") is { } kb ? double.Parse(kb, CultureInfo.InvariantCulture) : null,
            Nodes: (int)Math.Clamp(Number("--nodes", 1), 1, 5),
            Postgres: Value("--postgres"),
            Repeat: (int)Math.Clamp(Number("--repeat", 1), 1, 9),
            NodeCpu: Value("--node-cpu") is { } cpu ? Math.Clamp(double.Parse(cpu, CultureInfo.InvariantCulture), 0.1, 4) : null,
            ScaleGuard: Value("--scale-guard") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : null,
            Backplane: args.Contains("--backplane"),
            Affinity: args.Contains("--affinity"),
            ServerCores: Value("--server-cores") is { } sc ? (int)Math.Clamp(double.Parse(sc, CultureInfo.InvariantCulture), 1, 64) : null,
            Scenario: Value("--scenario"),
            Routing: args.Contains("--routing"),
            LatencyGuard: Value("--latency-guard") is { } lg ? double.Parse(lg, CultureInfo.InvariantCulture) : null,
            ConnectGuard: Value("--connect-guard") is { } cg ? double.Parse(cg, CultureInfo.InvariantCulture) : null,
            MemoryGuard: Value("--memory-guard") is { } mg ? double.Parse(mg, CultureInfo.InvariantCulture) : null,
            Mix: Value("--mix") is { } mix ? LogMix.Parse(mix) : null,
            MixGuard: Value("--mix-guard") is { } xg ? double.Parse(xg, CultureInfo.InvariantCulture) : null,
            FixedWarmup: args.Contains("--fixed-warmup"),
            Storm: args.Contains("--storm"),
            StormPlain: !args.Contains("--no-plain"),
            FullSpeed: args.Contains("--full-speed"),
            WarmWaves: (int)Math.Clamp(Number("--warm-waves", 0), 0, 20));
        if (options.Scenario is { } scenario && !Realtime.Bench.Scenario.Names.Contains(scenario))
        {
            throw new ArgumentException($"--scenario is one of {string.Join(", ", Realtime.Bench.Scenario.Names)}");
        }

        if (options.ConnectGuard is not null && options.Scenario is not ("connect" or "connect-pairs" or "connect-groups"))
        {
            throw new ArgumentException("--connect-guard goes with a connect scenario");
        }

        if (options.Postgres is { } postgres && !postgres.Contains("Host=127.0.0.1", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("--postgres takes a connection string with Host=127.0.0.1: the benchmark stays on loopback");
        }

        if (options.LatencyGuard is not null && options.ScaleGuard is null)
        {
            throw new ArgumentException("--latency-guard goes with --scale-guard");
        }

        if (options.ScaleGuard is not null && options.Nodes < 2)
        {
            throw new ArgumentException("--scale-guard needs --nodes 2 or more");
        }

        return options.Protocol is "json" or "messagepack" or "mixed"
            ? options
            : throw new ArgumentException("--protocol is json, messagepack or mixed");
    }
}
