using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Realtime.Server.Observability;

public static class TelemetryExtensions
{
    /// <summary>SignalR's own activity source: one span per hub method invocation.</summary>
    public const string SignalRActivitySource = "Microsoft.AspNetCore.SignalR.Server";

    /// <summary>Set to true to collect traces for an exporter added in code, without OTLP.</summary>
    public const string TracingKey = "Telemetry:Tracing";

    /// <summary>
    /// Traces and metrics through the OpenTelemetry instrumentation packages. OTLP export is on when
    /// the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the other <c>OTEL_*</c> variables);
    /// <c>/metrics</c> serves Prometheus text either way. Redis commands are traced by scale-out, which owns the multiplexer.
    /// Traces are collected only when something exports them: a tracer provider with no exporter still
    /// samples every span it listens to, which cost about 3 % of the CPU of every hub call and batch
    /// (docs/cpu-profile.md).
    /// </summary>
    public static IHostApplicationBuilder AddChatTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NodeThroughput>();
        builder.Services.AddSingleton<ChatMetrics>();
        var exportsOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "realtime"));
        if (exportsOtlp || builder.Configuration.GetValue<bool>(TracingKey))
        {
            telemetry.WithTracing(tracing => tracing
                    .AddSource(SignalRActivitySource, ChatTracing.SourceName)
                    .AddAspNetCoreInstrumentation(options => options.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics"))
                    .AddHttpClientInstrumentation()
                    .AddSqlClientInstrumentation()
                    .AddNpgsql()
                    .AddEntityFrameworkCoreInstrumentation());
        }

        telemetry.WithMetrics(metrics => metrics
            .AddMeter(ChatMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter("Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections", "Npgsql")
            .AddPrometheusExporter());
        if (exportsOtlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapChatMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
