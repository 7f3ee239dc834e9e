using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Realtime.Server.Errors;
using Realtime.Server.Observability;

namespace Realtime.Server.Connections;

/// <summary>
/// What a connect must pass before it costs the node anything: the node is not draining, and the user has
/// connects left in their token bucket. Runs first in <c>OnConnectedAsync</c>, before any read, so a
/// reconnect loop or a node on its way out costs no database work; the refusal is the close reason.
/// </summary>
public sealed class ConnectGate : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    private readonly DrainState _drain;

    public ConnectGate(IOptions<ChatOptions> options, DrainState drain)
    {
        _drain = drain;
        var limits = options.Value;
        // The bucket refills a little at a time (60 a minute: one a second), not a minute's worth at once,
        // which the burst would cap at the burst.
        var tokensPerPeriod = Math.Max(1, (int)Math.Ceiling(limits.ConnectsPerMinute / 60.0));
        var period = TimeSpan.FromMinutes(1) * tokensPerPeriod / limits.ConnectsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(userId => RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.ConnectBurst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <exception cref="ChatException"><c>unavailable</c> while draining.</exception>
    public void EnsureOpen()
    {
        if (_drain.IsDraining)
        {
            throw ChatException.Unavailable("This node is shutting down; connect again and another node will take the connection.");
        }
    }

    /// <summary>Looks without taking: the user has a connect left.</summary>
    /// <exception cref="ChatException"><c>rate_limited</c> past the user's connects.</exception>
    public void EnsureConnectsLeft(string userId) => Acquire(userId, permits: 0);

    /// <summary>Takes one of the user's connects.</summary>
    /// <exception cref="ChatException"><c>rate_limited</c> past the user's connects.</exception>
    public void Admit(string userId) => Acquire(userId, permits: 1);

    private void Acquire(string userId, int permits)
    {
        using var lease = _limiter.AttemptAcquire(userId, permits);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            throw ChatException.RateLimited($"Too many connects for this user; retry after {seconds} s.");
        }
    }

    public void Dispose() => _limiter.Dispose();
}
