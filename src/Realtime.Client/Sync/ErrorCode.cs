using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>The contract code a hub error message starts with (<c>code: sentence</c>).</summary>
internal static class ErrorCode
{
    public static string Of(HubException exception) => exception.Message.Split(':', 2)[0].Trim();

    /// <summary>Refusals that pass: the same call a moment later may succeed.</summary>
    public static bool IsTransient(HubException exception) => Of(exception) is ChatErrorCodes.Unavailable or ChatErrorCodes.RateLimited;
}
