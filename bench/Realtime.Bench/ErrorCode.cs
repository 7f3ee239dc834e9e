using System.Net;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>The contract's error code in a failure's text, or the HTTP status or exception type when it carries none.</summary>
internal static class ErrorCode
{
    private static readonly string[] Codes =
    [
        ChatErrorCodes.InvalidArgument, ChatErrorCodes.NotFound, ChatErrorCodes.NotAMember, ChatErrorCodes.Forbidden,
        ChatErrorCodes.RateLimited, ChatErrorCodes.PayloadTooLarge, ChatErrorCodes.Unavailable,
    ];

    public static string Of(Exception exception) =>
        Codes.FirstOrDefault(code => exception.Message.Contains(code + ": ", StringComparison.Ordinal))
        ?? (exception is HttpRequestException { StatusCode: HttpStatusCode status } ? $"http_{(int)status}" : exception.GetType().Name);
}
