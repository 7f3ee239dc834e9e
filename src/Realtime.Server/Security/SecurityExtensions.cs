using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Server.Auth;
using Realtime.Server.Errors;

namespace Realtime.Server.Security;

/// <summary>Section <c>Cors</c>: the browser origins allowed to call the service from another site.</summary>
public sealed class CrossOriginOptions
{
    public const string SectionName = "Cors";

    public string[] AllowedOrigins { get; set; } = [];
}

public static class SecurityExtensions
{
    public const string PerUserPolicy = "per-user";

    public static IHostApplicationBuilder AddChatSecurity(this IHostApplicationBuilder builder)
    {
        // The hub takes its token from the query string (browsers cannot set WebSocket headers), and
        // the hosting diagnostics log every request URL at Information: keep them to warnings.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // SignalR's dispatcher logs every invocation's arguments (message contents) at Debug.
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Information);

        builder.Services.AddOptions<CrossOriginOptions>().BindConfiguration(CrossOriginOptions.SectionName)
            .Validate(
                o => o.AllowedOrigins.All(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"),
                "Cors:AllowedOrigins must be absolute http(s) origins such as https://chat.example.com.")
            .ValidateOnStart();
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<CrossOriginOptions>>((cors, allowed) => cors.AddDefaultPolicy(policy =>
            {
                if (allowed.Value.AllowedOrigins.Length > 0)
                {
                    // SignalR's browser client sends credentials, so origins are listed, never "*".
                    policy.WithOrigins(allowed.Value.AllowedOrigins).AllowAnyHeader().AllowAnyMethod().AllowCredentials();
                }
            }));

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(PerUserPolicy, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<ChatOptions>>().Value;
                var caller = http.User.FindFirst(ClaimsPrincipalExtensions.SubjectClaim)?.Value is { } userId
                    ? "user:" + userId
                    : "address:" + http.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.HttpRequestBurst,
                    TokensPerPeriod = limits.HttpRequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = ChatProblemDetails.Create(
                        ChatErrorCodes.RateLimited, $"Too many requests; retry after {seconds} s.", StatusCodes.Status429TooManyRequests),
                });
            };
        });
        return builder;
    }
}
