using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Realtime.Persistence;

namespace Realtime.Server.Observability;

public static class HealthExtensions
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddChatHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddDbContextCheck<ChatDbContext>("database", tags: [ReadyTag]);
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthStatusMetrics>();
        builder.Services.Configure<HealthCheckPublisherOptions>(options =>
        {
            options.Predicate = check => check.Tags.Contains(ReadyTag);
            // Often enough for the alert rules' one-minute windows; each run is one database round trip.
            options.Period = TimeSpan.FromSeconds(15);
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapChatHealthChecks(this IEndpointRouteBuilder app)
    {
        // Liveness runs no checks: a process that answers is alive; a lost database is a readiness matter.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }
}
