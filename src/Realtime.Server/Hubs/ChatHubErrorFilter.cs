using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;
using Realtime.Server.Errors;
using Realtime.Server.Observability;

namespace Realtime.Server.Hubs;

/// <summary>
/// Gives every failed hub call a <c>code: sentence</c> message and logs it once: a refusal (the caller's
/// mistake) with its code and no stack trace, an unexpected failure as an error with its exception.
/// Neither reaches the client with internals.
/// </summary>
internal sealed partial class ChatHubErrorFilter(ChatMetrics metrics, ILogger<ChatHubErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception exception) when (exception is not HubException)
        {
            var (code, message) = ChatErrors.Describe(exception);
            metrics.Failed(code);
            Log(invocationContext.HubMethodName, code, exception);
            throw new HubException($"{code}: {message}");
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (exception is not HubException)
        {
            var (code, message) = ChatErrors.Describe(exception);
            Log(nameof(OnConnectedAsync), code, exception);
            throw new HubException($"{code}: {message}");
        }
    }

    private void Log(string method, string code, Exception exception)
    {
        if (exception is not ChatException)
        {
            LogFailed(logger, method, code, exception);
        }
        else if (code == ChatErrorCodes.RateLimited)
        {
            // A flood is refused call by call; at Information it would flood the log as well. The
            // refusal count by code is in the metrics.
            LogThrottled(logger, method, code);
        }
        else
        {
            LogRefused(logger, method, code);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hub method {Method} refused with {Code}")]
    private static partial void LogRefused(ILogger logger, string method, string code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub method {Method} refused with {Code}")]
    private static partial void LogThrottled(ILogger logger, string method, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed; the caller got {Code}")]
    private static partial void LogFailed(ILogger logger, string method, string code, Exception exception);
}
