using Microsoft.AspNetCore.SignalR.Client;

namespace Realtime.Client.Sync;

/// <summary>
/// SignalR's default schedule gives up after four attempts (about 42 s); a server restart or an outage
/// can take longer, so this one backs off to a ceiling and never gives up.
/// </summary>
internal sealed class EndlessRetryPolicy(TimeSpan ceiling) : IRetryPolicy
{
    private static readonly TimeSpan[] FirstDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    public TimeSpan? NextRetryDelay(RetryContext retryContext) => Delay(retryContext.PreviousRetryCount);

    public TimeSpan Delay(long attempt)
    {
        var delay = attempt < FirstDelays.Length ? FirstDelays[attempt] : ceiling;
        delay = delay > ceiling ? ceiling : delay;
        // Jitter, so the clients of a node that died do not all come back in the same millisecond.
        return delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }
}
