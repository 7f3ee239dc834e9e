using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Realtime.Bench;

/// <summary>
/// Counts the storm's errors by code from what the sync client logs (a send sent again, a read refused,
/// a restart that failed) and from the connection losses its clients report. A rate limit's refusal is
/// told apart by which limit gave it, since those are the refusals a storm is expected to meet.
/// </summary>
internal sealed class StormErrors : ILoggerProvider, ILogger
{
    public ConcurrentDictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);

    /// <summary>The code of a failure, with the limit named for a rate limit's refusal.</summary>
    public static string Of(Exception exception)
    {
        var code = ErrorCode.Of(exception);
        return code != "rate_limited" ? code
            : exception.Message.Contains("Too many connects", StringComparison.Ordinal) ? "rate_limited (Chat:ConnectsPerMinute / ConnectBurst)"
            : exception.Message.Contains("open connections", StringComparison.Ordinal) ? "rate_limited (Chat:MaxConnectionsPerUser)"
            : exception.Message.Contains("Too many calls", StringComparison.Ordinal) ? "rate_limited (Chat:HubCallsPerSecond / HubCallBurst)"
            : "rate_limited (HTTP requests)";
    }

    public void Add(string code, long count = 1) => Counts.AddOrUpdate(code, count, (_, n) => n + count);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        switch (eventId.Name)
        {
            case "SendRetried" when state is IReadOnlyList<KeyValuePair<string, object?>> values:
                Add("send sent again: " + values.FirstOrDefault(v => v.Key == "Reason").Value);
                break;
            case "ReadRefused" or "RestartFailed" or "ResyncInterrupted" when exception is not null:
                Add($"{eventId.Name}: {Of(exception)}");
                break;
        }
    }

    public void Dispose()
    {
    }
}
