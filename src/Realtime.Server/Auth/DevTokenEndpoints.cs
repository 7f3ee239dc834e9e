using Microsoft.Extensions.Options;
using Realtime.Contracts;

namespace Realtime.Server.Auth;

public static class DevTokenEndpoints
{
    public static IEndpointRouteBuilder MapDevTokens(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value.DevTokens)
        {
            app.MapPost("/api/dev/token", (DevTokenRequest request, DevTokenIssuer issuer) => TypedResults.Ok(issuer.Issue(request)))
                .AllowAnonymous()
                .WithTags("Development")
                .WithName("IssueDevToken")
                .WithSummary("A signed token for any user id; mapped only while Auth:DevTokens is on, never in production.")
                .ProducesProblem(StatusCodes.Status400BadRequest);
        }

        return app;
    }
}
