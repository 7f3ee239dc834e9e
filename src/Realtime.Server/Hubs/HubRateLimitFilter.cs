using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Realtime.Server.Errors;

namespace Realtime.Server.Hubs;

/// <summary>A token bucket per user on every hub call, so one client cannot starve a node.</summary>
internal sealed class HubRateLimitFilter : IHubFilter, IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public HubRateLimitFilter(IOptions<ChatOptions> options)
    {
        var limits = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(userId => RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.HubCallBurst,
            TokensPerPeriod = limits.HubCallsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        using var lease = _limiter.AttemptAcquire(invocationContext.Context.UserIdentifier ?? invocationContext.Context.ConnectionId);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            var milliseconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
            throw ChatException.RateLimited($"Too many calls; retry after {milliseconds} ms.");
        }

        return await next(invocationContext);
    }

    public void Dispose() => _limiter.Dispose();
}
