using Microsoft.AspNetCore.SignalR;
using Realtime.Server.Errors;
using Realtime.Server.Observability;

namespace Realtime.Server.Hubs;

/// <summary>
/// Gives every failed hub call a <c>code: sentence</c> message. Unexpected failures are logged here
/// and reach the client without internals.
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
            if (exception is ChatException)
            {
                LogRefused(logger, invocationContext.HubMethodName, code);
            }
            else
            {
                LogFailed(logger, invocationContext.HubMethodName, code, exception);
            }

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
            LogFailed(logger, nameof(OnConnectedAsync), code, exception);
            throw new HubException($"{code}: {message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub method {Method} refused with {Code}")]
    private static partial void LogRefused(ILogger logger, string method, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed; the caller got {Code}")]
    private static partial void LogFailed(ILogger logger, string method, string code, Exception exception);
}
