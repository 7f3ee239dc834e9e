using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Realtime.Contracts;

namespace Realtime.Server.Errors;

/// <summary>Turns failures on REST routes into RFC 7807 problem details carrying the contract's error code.</summary>
internal sealed partial class ChatProblemDetails(IProblemDetailsService problemDetails, Observability.ChatMetrics metrics, ILogger<ChatProblemDetails> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (code, message) = exception is BadHttpRequestException
            ? (ChatErrorCodes.InvalidArgument, "The request body or query is malformed.")
            : ChatErrors.Describe(exception);
        if (exception is not ChatException and not BadHttpRequestException)
        {
            LogUnexpected(logger, httpContext.Request.Path, exception);
        }

        metrics.Failed(code);
        httpContext.Response.StatusCode = ChatErrors.StatusCodeOf(code);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = Create(code, message, httpContext.Response.StatusCode),
        });
    }

    public static ProblemDetails Create(string code, string message, int status) => new()
    {
        Status = status,
        Title = code,
        Detail = message,
        Type = $"urn:realtime:error:{code}",
        Extensions = { ["code"] = code },
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Request to {Path} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, PathString path, Exception exception);
}
