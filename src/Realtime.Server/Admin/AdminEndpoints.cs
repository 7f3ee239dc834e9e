using Realtime.Server.Auth;
using Realtime.Server.Errors;
using Realtime.Server.Security;

namespace Realtime.Server.Admin;

public static partial class AdminEndpoints
{
    /// <summary>Cluster-wide operations for the role <c>admin</c> only.</summary>
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin")
            .RequireAuthorization(AuthExtensions.AdminPolicy)
            .RequireRateLimiting(SecurityExtensions.PerUserPolicy)
            .WithTags("Admin")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        admin.MapGet("/stats", async (IClusterStats stats, LocalNodeStats local, TimeProvider clock, CancellationToken cancellationToken) =>
                TypedResults.Ok(ClusterStats.Of(local.NodeId, await stats.ReadNodesAsync(cancellationToken), clock.GetUtcNow().UtcDateTime)))
            .WithName("GetClusterStats")
            .WithSummary("Every live node's id, version, uptime, connections, users online, sends and deliveries per second over the last minute, and the cluster's totals.");

        admin.MapPost("/users/{userId}/disconnect", async (string userId, HttpContext http, IUserDisconnect disconnect, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                userId = Ids.RequireUserId(userId);
                var closed = await disconnect.DisconnectAsync(userId, cancellationToken);
                var adminId = http.User.RequireUserId();
                var logger = loggers.CreateLogger(typeof(AdminEndpoints));
                LogDisconnectRequested(logger, adminId, userId, closed);
                return TypedResults.Accepted((string?)null, new DisconnectResult(userId, closed));
            })
            .WithName("DisconnectUser")
            .WithSummary("Closes every connection of the user on every node, for example after revoking their access; they may connect again with a valid token.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    // Who closed whose connections is what an operator asks after the fact.
    [LoggerMessage(Level = LogLevel.Information, Message = "Administrator {AdminId} disconnected user {UserId}; {Closed} connections closed on this node, the other nodes close theirs")]
    private static partial void LogDisconnectRequested(ILogger logger, string adminId, string userId, int closed);
}
