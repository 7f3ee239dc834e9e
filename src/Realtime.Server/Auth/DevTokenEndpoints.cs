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
                .WithName("IssueDevToken");
        }

        return app;
    }
}
