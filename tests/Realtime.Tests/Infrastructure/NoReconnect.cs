using Microsoft.AspNetCore.SignalR.Client;

namespace Realtime.Tests.Infrastructure;

/// <summary>A client that stays closed once the server closes it, so a test can see that it did.</summary>
public sealed class NoReconnect : IRetryPolicy
{
    public TimeSpan? NextRetryDelay(RetryContext retryContext) => null;
}
