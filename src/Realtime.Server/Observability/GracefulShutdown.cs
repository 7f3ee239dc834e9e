using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Realtime.Server.Observability;

/// <summary>Section <c>Shutdown</c>.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// After SIGTERM the node reports not-ready and keeps serving for this long, so the load balancer
    /// stops sending it new connections before it stops listening.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long in-flight requests may run once the node stops listening.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>Whether this node has begun to shut down: the hub refuses new connections from that moment.</summary>
public sealed class DrainState
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    internal void Begin() => _draining = true;
}

/// <summary>
/// On SIGTERM, before anything stops, readiness turns unhealthy and the node keeps serving for the
/// drain delay. Only then does Kestrel stop accepting, in-flight sends finish within
/// <see cref="ShutdownOptions.Timeout"/>, and SignalR closes the connections so clients reconnect
/// to another node.
/// </summary>
internal sealed partial class DrainOnShutdown(
    IHostApplicationLifetime lifetime,
    DrainState state,
    IOptions<ShutdownOptions> options,
    ILogger<DrainOnShutdown> logger) : IHostedService, IHealthCheck
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping callbacks run last-registered first, and all of them before the server
        // stops: registered now (after SignalR's own), this one runs before SignalR closes connections.
        lifetime.ApplicationStopping.Register(Drain);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsDraining ? HealthCheckResult.Unhealthy("The node is shutting down.") : HealthCheckResult.Healthy());

    private void Drain()
    {
        state.Begin();
        LogDraining(logger, options.Value.DrainDelay);
        // Blocking is the point: the host waits here, still serving, until the drain delay is over.
        Thread.Sleep(options.Value.DrainDelay);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: not ready, draining for {Delay}")]
    private static partial void LogDraining(ILogger logger, TimeSpan delay);
}

public static class GracefulShutdownExtensions
{
    public static IHostApplicationBuilder AddGracefulShutdown(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddSingleton<DrainOnShutdown>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<DrainOnShutdown>());
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.DrainDelay + shutdown.Value.Timeout);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "shutdown", provider => provider.GetRequiredService<DrainOnShutdown>(), HealthStatus.Unhealthy, [HealthExtensions.ReadyTag]));
        return builder;
    }
}
