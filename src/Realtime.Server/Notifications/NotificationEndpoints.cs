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
            .RequireRateLimiting(SecurityExtensions.PerUserPolicy);
        return app;
    }
}
