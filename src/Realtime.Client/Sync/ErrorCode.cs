using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;

namespace Realtime.Client.Sync;

/// <summary>The contract code a hub error message starts with (<c>code: sentence</c>).</summary>
internal static class ErrorCode
{
    private static readonly HashSet<string> ContractCodes = new(StringComparer.Ordinal)
    {
        ChatErrorCodes.InvalidArgument, ChatErrorCodes.NotFound, ChatErrorCodes.NotAMember, ChatErrorCodes.Forbidden,
        ChatErrorCodes.RateLimited, ChatErrorCodes.PayloadTooLarge, ChatErrorCodes.Unavailable,
    };

    public static string Of(HubException exception) => exception.Message.Split(':', 2)[0].Trim();

    /// <summary>Refusals that pass: the same call a moment later may succeed.</summary>
    public static bool IsTransient(HubException exception) => Of(exception) is ChatErrorCodes.Unavailable or ChatErrorCodes.RateLimited;

    /// <summary>
    /// True when the call was never answered: SignalR fails every call in flight with a HubException when
    /// the server closes the connection with an error (a draining node refusing a reconnect does), and its
    /// message starts with SignalR's own text, not a contract code. The call's outcome is unknown, as on
    /// any lost connection.
    /// </summary>
    public static bool IsConnectionClosed(HubException exception) => !ContractCodes.Contains(Of(exception));

    /// <summary>Worth sending again with the same client id: refused for now, or cut off by the connection.</summary>
    public static bool IsRetryable(HubException exception) => IsTransient(exception) || IsConnectionClosed(exception);
}
