using System.Security.Claims;
using Realtime.Contracts;
using Realtime.Server.Auth;
using Realtime.Server.Security;
using Realtime.Server.Errors;
using Realtime.Server.Messages;

namespace Realtime.Server.Conversations;

/// <summary>The REST face of the hub: same services, same rules, problem details for errors.</summary>
public static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapConversationApi(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/api/conversations").RequireAuthorization().RequireRateLimiting(SecurityExtensions.PerUserPolicy);

        conversations.MapGet("/", async (ClaimsPrincipal user, ConversationService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(await service.GetForUserAsync(user.RequireUserId(), cancellationToken)));

        conversations.MapPost("/", async (CreateConversationRequest request, ClaimsPrincipal user, ConversationService service, CancellationToken cancellationToken) =>
        {
            var conversation = await service.CreateAsync(user.RequireUserId(), request.Title, request.MemberIds, cancellationToken);
            return TypedResults.Created($"/api/conversations/{conversation.Id}", conversation);
        });

        conversations.MapGet("/{id}/messages", async (string id, long? after, long? before, int? limit, ClaimsPrincipal user, MessageService service, CancellationToken cancellationToken) =>
        {
            if (after is not null && before is not null)
            {
                throw ChatException.InvalidArgument("Use either after (resync) or before (history), not both.");
            }

            var page = after is { } afterSequence
                ? await service.GetMessagesAsync(user.RequireUserId(), id, afterSequence, limit ?? 50, cancellationToken)
                : await service.GetHistoryAsync(user.RequireUserId(), id, before, limit ?? 50, cancellationToken);
            return TypedResults.Ok(page);
        });

        conversations.MapPost("/{id}/messages", async (string id, SendMessageRequest request, ClaimsPrincipal user, MessageService service, CancellationToken cancellationToken) =>
        {
            var result = await service.SendAsync(user.RequireUserId(), id, request.ClientMessageId, request.Content, cancellationToken);
            return result.IsNew
                ? Results.Created($"/api/conversations/{id}/messages/{result.Message.Sequence}", result.Message)
                : Results.Ok(result.Message);
        });

        return app;
    }
}
