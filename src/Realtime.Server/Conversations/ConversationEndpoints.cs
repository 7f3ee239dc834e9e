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

        return app;
    }
}
