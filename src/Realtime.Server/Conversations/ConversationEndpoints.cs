using System.Security.Claims;
using Realtime.Contracts;
using Realtime.Server.Auth;
using Realtime.Server.Security;

namespace Realtime.Server.Conversations;

/// <summary>The REST face of the hub's conversation calls: same services, same rules, problem details for errors.</summary>
public static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapConversationApi(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapUserApi("/api/conversations", "Conversations");

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

        conversations.MapPost("/direct", async (OpenDirectConversationRequest request, ClaimsPrincipal user, DirectConversations directs, CancellationToken cancellationToken) =>
                TypedResults.Ok(await directs.OpenAsync(user.RequireUserId(), request.UserId, cancellationToken)))
            .WithName("OpenDirectConversation")
            .WithSummary("The one direct conversation of the caller and userId, created on the first call, as the hub's OpenDirectConversation.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        conversations.MapPatch("/{id}", async (string id, UpdateConversationRequest request, ClaimsPrincipal user, ConversationAdministration administration, CancellationToken cancellationToken) =>
                TypedResults.Ok(await administration.UpdateAsync(user.RequireUserId(), id, request.Title, request.Topic, cancellationToken)))
            .WithName("UpdateConversation")
            .WithSummary("Owner or admin: a null title keeps the title, a null topic clears the topic, as the hub's UpdateConversation.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        conversations.MapGet("/{id}/receipts", async (string id, ClaimsPrincipal user, ReceiptService receipts, CancellationToken cancellationToken) =>
                TypedResults.Ok(await receipts.GetAsync(user.RequireUserId(), id, cancellationToken)))
            .WithName("GetReceipts")
            .WithSummary("Every member's read and delivered watermarks, as the hub's GetReceipts.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }
}
