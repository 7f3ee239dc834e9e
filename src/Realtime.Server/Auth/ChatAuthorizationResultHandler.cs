using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Realtime.Contracts;
using Realtime.Server.Errors;

namespace Realtime.Server.Auth;

/// <summary>A caller who is signed in but lacks the role gets the contract's <c>forbidden</c> problem, not a bare 403.</summary>
internal sealed class ChatAuthorizationResultHandler(IProblemDetailsService problemDetails) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ChatProblemDetails.Create(ChatErrorCodes.Forbidden, "Your token lacks the role this route needs.", StatusCodes.Status403Forbidden),
        });
    }
}
