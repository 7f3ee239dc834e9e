using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Realtime.Persistence;

namespace Realtime.Server.Observability;

public static class HealthExtensions
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddChatHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddDbContextCheck<ChatDbContext>("database", tags: [ReadyTag]);
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
