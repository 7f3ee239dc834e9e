using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Realtime.Tests.Infrastructure;

/// <summary>Keeps every formatted log line (and exception text) the server writes, for tests that inspect them.</summary>
public sealed class LogCapture(bool timestamps = false) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines, timestamps);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines, bool timestamps) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{(timestamps ? $"{DateTime.UtcNow:HH:mm:ss.fff} " : string.Empty)}{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
