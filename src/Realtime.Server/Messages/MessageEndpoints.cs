using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Realtime.Contracts;
using Realtime.Server.Auth;
using Realtime.Server.Errors;
using Realtime.Server.Security;

namespace Realtime.Server.Messages;

/// <summary>The REST face of the hub's message calls, under their conversation: same services, same rules, problem details for errors.</summary>
public static class MessageEndpoints
{
    public static IEndpointRouteBuilder MapMessageApi(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapUserApi("/api/conversations", "Messages");

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
            var result = await service.SendAsync(user.RequireUserId(), id, request.ClientMessageId, request.Content, request.ReplyToMessageId);
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

        conversations.MapGet("/{id}/changes", async (string id, long? after, int? limit, ClaimsPrincipal user, MessageService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(await service.GetChangesAsync(user.RequireUserId(), id, after ?? 0, limit ?? 50, cancellationToken)))
            .WithName("GetChanges")
            .WithSummary("Every message created or changed after a revision (after=), in its current state, ascending by revision: the resync of the conversation log.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        conversations.MapPatch("/{id}/messages/{messageId}", async (string id, string messageId, EditMessageRequest request, ClaimsPrincipal user, MessageChanger changer) =>
            TypedResults.Ok((await changer.EditAsync(user.RequireUserId(), id, messageId, request.Content)).Message))
            .WithName("EditMessage")
            .WithSummary("Edits a message, as the hub's EditMessage: the sender only.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        conversations.MapDelete("/{id}/messages/{messageId}", async (string id, string messageId, ClaimsPrincipal user, MessageChanger changer) =>
            TypedResults.Ok((await changer.DeleteAsync(user.RequireUserId(), id, messageId)).Message))
            .WithName("DeleteMessage")
            .WithSummary("Deletes a message, as the hub's DeleteMessage: the sender, an owner or an admin; the tombstone keeps id, sequence and sender.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }
}
