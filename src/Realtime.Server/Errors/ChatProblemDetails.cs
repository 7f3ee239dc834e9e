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
            LogUnexpected(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
        }
        else
        {
            // The caller's mistake: the code says what it was; a stack trace would say nothing more.
            LogRefused(logger, httpContext.Request.Method, httpContext.Request.Path, code);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Method} {Path} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {Method} {Path} refused with {Code}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, string code);
}
