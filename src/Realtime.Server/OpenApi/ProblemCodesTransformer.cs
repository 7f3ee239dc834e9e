using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Realtime.Contracts;
using Realtime.Server.Errors;

namespace Realtime.Server.OpenApi;

/// <summary>
/// Problem details carry the contract's error code in their <c>code</c> member: the schema names the
/// codes, and each problem response says which codes its status stands for (the same map the error
/// handler answers with), so a client can branch on the code rather than on the status.
/// </summary>
internal sealed class ProblemCodesTransformer : IOpenApiOperationTransformer, IOpenApiSchemaTransformer
{
    private static readonly string[] Codes =
    [
        ChatErrorCodes.InvalidArgument, ChatErrorCodes.NotFound, ChatErrorCodes.NotAMember, ChatErrorCodes.Forbidden,
        ChatErrorCodes.RateLimited, ChatErrorCodes.PayloadTooLarge, ChatErrorCodes.Unavailable,
    ];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.Responses is null)
        {
            return Task.CompletedTask;
        }

        // Group-wide problems come first in metadata order; readers expect statuses in order.
        var sorted = new OpenApiResponses();
        foreach (var (status, response) in operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            sorted[status] = response;
        }

        operation.Responses = sorted;
        foreach (var (status, response) in sorted)
        {
            if (response is not OpenApiResponse problem || !int.TryParse(status, out var code) || code < 400)
            {
                continue;
            }

            var codes = Codes.Where(c => ChatErrors.StatusCodeOf(c) == code).ToList();
            problem.Description = code == StatusCodes.Status401Unauthorized
                ? "No valid bearer token."
                : $"A problem whose code is {string.Join(" or ", codes)}.";
        }

        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type != typeof(ProblemDetails))
        {
            return Task.CompletedTask;
        }

        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["code"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The contract's error code; title repeats it and detail is a sentence for people.",
            Enum = Codes.Select(c => (JsonNode)JsonValue.Create(c)).ToList(),
        };
        return Task.CompletedTask;
    }
}
