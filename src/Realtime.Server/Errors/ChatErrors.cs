using System.Data.Common;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;

namespace Realtime.Server.Errors;

public static class ChatErrors
{
    /// <summary>Maps any failure to a stable code and a sentence that is safe to show a client.</summary>
    public static (string Code, string Message) Describe(Exception exception) => exception switch
    {
        ChatException chat => (chat.Code, chat.Message),
        _ when IsInfrastructureFailure(exception) =>
            (ChatErrorCodes.Unavailable, "The service cannot reach its storage right now; nothing was saved. Try again."),
        _ => (ChatErrorCodes.Unavailable, "The request failed on the server; nothing was saved. Try again."),
    };

    public static int StatusCodeOf(string code) => code switch
    {
        ChatErrorCodes.InvalidArgument => StatusCodes.Status400BadRequest,
        ChatErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ChatErrorCodes.NotAMember => StatusCodes.Status403Forbidden,
        ChatErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
        ChatErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ChatErrorCodes.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    public static bool IsInfrastructureFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException or DbUpdateException or TimeoutException or SocketException)
            {
                return true;
            }
        }

        return false;
    }
}
