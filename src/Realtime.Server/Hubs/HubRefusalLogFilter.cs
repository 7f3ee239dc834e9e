using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Realtime.Server.Hubs;

/// <summary>
/// SignalR logs every failed invocation and every failed <c>OnConnectedAsync</c> as an error with its
/// stack trace, a client's mistake too. Every <see cref="HubException"/> here is a refusal that has already
/// been logged once, with its code (<see cref="ChatHubErrorFilter"/>), so this drops SignalR's copy of those
/// and of nothing else: a failure that never reached the filters (a hub that cannot be created) stays an error.
/// </summary>
internal sealed class HubRefusalLogFilter(ILoggerFactory inner) : ILoggerFactory
{
    private static readonly HashSet<string> FailureEvents = ["FailedInvokingHubMethod", "ErrorDispatchingHubEvent"];

    /// <summary>Wraps the logger factory already registered, whichever it is.</summary>
    public static void Register(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService);
        if (registered is null)
        {
            return;
        }

        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(provider => new HubRefusalLogFilter(Create(provider, registered))));
    }

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Microsoft.AspNetCore.SignalR.", StringComparison.Ordinal) ? new Logger(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private static ILoggerFactory Create(IServiceProvider provider, ServiceDescriptor registered) =>
        (ILoggerFactory)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!));

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is HubException && eventId.Name is { } name && FailureEvents.Contains(name))
            {
                return;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
