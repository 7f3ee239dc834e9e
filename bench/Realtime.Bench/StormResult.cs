using System.Globalization;

namespace Realtime.Bench;

/// <summary>The reconnect storm on Realtime. Times are seconds from the kill, sorted.</summary>
internal sealed record StormResult(
    int Clients, int Conversations, int Members, int CutOff, TimeSpan ConnectTime,
    double[] CaughtUp, double[] Back, double[] OthersCaughtUp, int NeverCaughtUp,
    Dictionary<int, int> MovedTo, long Acknowledged, int CompleteClients, int Gaps, int LogMismatches,
    SortedDictionary<string, long> Errors)
{
    public bool Passed => NeverCaughtUp == 0 && CompleteClients == Clients && Gaps == 0 && LogMismatches == 0;
}

/// <summary>The same storm on plain SignalR: reconnect and rejoin only, it keeps nothing to resync.</summary>
internal sealed record PlainStormResult(
    int Clients, int CutOff, TimeSpan ConnectTime, double[] Back, int NeverBack, long Sent, long Missed,
    SortedDictionary<string, long> Errors);

internal static class StormReport
{
    public static void Print(StormResult realtime, PlainStormResult? plain)
    {
        static string At(double[] times, double share) => times.Length == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{times[Math.Min(times.Length - 1, (int)Math.Ceiling(share * times.Length) - 1)]:0.00} s");
        string Plain(Func<PlainStormResult, string> figure) => plain is null ? "not run" : figure(plain);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reconnect storm: {realtime.Clients:N0} clients in {realtime.Conversations} conversations of {realtime.Members} over 3 nodes, one node killed (SIGKILL) holding {realtime.CutOff:N0}; MessagePack"));
        Console.WriteLine("| | Realtime (sync client: reconnect and resync) | plain SignalR on its Redis backplane (reconnect and JoinGroup; no resync) |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| first connect of all clients | {realtime.ConnectTime.TotalSeconds:0.0} s | {Plain(p => $"{p.ConnectTime.TotalSeconds:0.0} s")} |"));
        Console.WriteLine($"| kill → last cut-off client has every message it missed (target 5 s) | **{At(realtime.CaughtUp, 1)}** (p50 {At(realtime.CaughtUp, 0.5)}, p90 {At(realtime.CaughtUp, 0.9)}) | no resync: nothing to time |");
        Console.WriteLine($"| kill → last cut-off client connected again (resynced / back in its group) | {At(realtime.Back, 1)} (p50 {At(realtime.Back, 0.5)}) | {Plain(p => $"{At(p.Back, 1)} (p50 {At(p.Back, 0.5)})")} |");
        Console.WriteLine($"| cut-off clients never back within the run | {realtime.NeverCaughtUp} | {Plain(p => p.NeverBack.ToString(CultureInfo.InvariantCulture))} |");
        Console.WriteLine($"| the other clients: kill → every message acknowledged before it | {At(realtime.OthersCaughtUp, 1)} | - |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| sends acknowledged | {realtime.Acknowledged:N0} | {Plain(p => p.Sent.ToString("N0", CultureInfo.InvariantCulture))} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| clients holding their conversation's whole log (1..N, no gap), N = acknowledged sends | {realtime.CompleteClients:N0} of {realtime.Clients:N0} ({realtime.Gaps} gaps, {realtime.LogMismatches} logs off) | {Plain(p => $"deliveries never received: {p.Missed:N0}")} |"));
        Console.WriteLine($"| cut-off clients went to | {string.Join(", ", realtime.MovedTo.OrderBy(m => m.Key).Select(m => $"node {m.Key}: {m.Value:N0}"))} | |");
        Console.WriteLine($"| errors by code | {Errors(realtime.Errors)} | {Plain(p => Errors(p.Errors))} |");
        Console.WriteLine($"connects that found a node gone (both runs): {Errors(new SortedDictionary<string, long>(FailoverConnectionFactory.Failures, StringComparer.Ordinal))}");
        Console.WriteLine($"storm {(realtime.Passed ? "complete" : "INCOMPLETE")}: every client {(realtime.Passed ? "holds" : "does not hold")} its conversation's whole log");
    }

    private static string Errors(SortedDictionary<string, long> errors) =>
        errors.Count == 0 ? "none" : string.Join("; ", errors.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key} ×{e.Value:N0}")));
}
