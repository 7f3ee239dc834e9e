using Realtime.Contracts;
using Realtime.Server.Auth;
using Realtime.Server.Security;

namespace Realtime.Server.Notifications;

public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotificationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/notifications", async (NotificationRequest request, NotificationService notifications, CancellationToken cancellationToken) =>
                TypedResults.Accepted((string?)null, await notifications.PushAsync(request, cancellationToken)))
            .RequireAuthorization(AuthExtensions.NotifierPolicy)
            .RequireRateLimiting(SecurityExtensions.PerUserPolicy)
            .WithTags("Notifications")
            .WithName("PushNotification")
            .WithSummary("Pushes Notified to the listed users, a conversation's members, or everyone.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
