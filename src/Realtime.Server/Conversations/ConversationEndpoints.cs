using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
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
        var conversations = app.MapGroup("/api/conversations")
            .RequireAuthorization()
            .RequireRateLimiting(SecurityExtensions.PerUserPolicy)
            .WithTags("Conversations")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        conversations.MapGet(string.Empty, async (ClaimsPrincipal user, ConversationService service, CancellationToken cancellationToken) =>
                TypedResults.Ok(await service.GetForUserAsync(user.RequireUserId(), cancellationToken)))
            .WithName("GetConversations")
            .WithSummary("The caller's conversations, as the hub's GetConversations.");

        conversations.MapPost(string.Empty, async (CreateConversationRequest request, ClaimsPrincipal user, ConversationService service, CancellationToken cancellationToken) =>
            {
                var conversation = await service.CreateAsync(user.RequireUserId(), request.Title, request.MemberIds, cancellationToken);
                return TypedResults.Created($"/api/conversations/{conversation.Id}", conversation);
            })
            .WithName("CreateConversation")
            .WithSummary("Creates a conversation with the caller as a member, as the hub's CreateConversation.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

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
        })
            .WithName("GetMessages")
            .WithSummary("Messages after a sequence (after=, the resync) or the latest before one (before=, history), ascending.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        conversations.MapPost("/{id}/messages", async Task<Results<Created<MessageDto>, Ok<MessageDto>>> (string id, SendMessageRequest request, ClaimsPrincipal user, MessageService service, CancellationToken cancellationToken) =>
        {
            var result = await service.SendAsync(user.RequireUserId(), id, request.ClientMessageId, request.Content, cancellationToken);
            return result.IsNew
                ? TypedResults.Created($"/api/conversations/{id}/messages/{result.Message.Sequence}", result.Message)
                : TypedResults.Ok(result.Message);
        })
            .WithName("SendMessage")
            .WithSummary("Sends a message, as the hub's SendMessage: 201 when stored now, 200 with the original when this clientMessageId was sent before.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        return app;
    }
}
