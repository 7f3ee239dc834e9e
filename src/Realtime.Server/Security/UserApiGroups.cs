namespace Realtime.Server.Security;

public static class UserApiGroups
{
    /// <summary>A route group for signed-in users: authenticated, rate limited per user, and the problems every such route can answer with.</summary>
    public static RouteGroupBuilder MapUserApi(this IEndpointRouteBuilder app, string prefix, string tag) =>
        app.MapGroup(prefix)
            .RequireAuthorization()
            .RequireRateLimiting(SecurityExtensions.PerUserPolicy)
            .WithTags(tag)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
