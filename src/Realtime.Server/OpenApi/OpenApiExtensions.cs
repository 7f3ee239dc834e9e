using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Realtime.Server.OpenApi;

public static class OpenApiExtensions
{
    public const string DocumentName = "v1";

    /// <summary>
    /// The OpenAPI document of the REST routes, built from the routes' own metadata: bodies and results
    /// from their types, problems from <c>ProducesProblem</c>, who may call from their authorization.
    /// </summary>
    public static IHostApplicationBuilder AddChatOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Realtime",
                    Version = DocumentName,
                    Description = "The REST routes of the Realtime chat service. Live traffic (sends, receipts, typing, presence) "
                        + "goes through the SignalR hub at /hubs/chat; these routes use the same services and rules. "
                        + "Errors are RFC 7807 problem details whose code member is one of the contract's error codes.",
                };
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<BearerSecurityTransformer>();
            options.AddOperationTransformer<BearerSecurityTransformer>();
            options.AddOperationTransformer<ProblemCodesTransformer>();
            options.AddSchemaTransformer<ProblemCodesTransformer>();
            options.AddDocumentTransformer<OperationalRoutesTransformer>();
        });
        return builder;
    }

    /// <summary>
    /// <c>/openapi/v1.json</c> in every environment, so integrators and gateways can read it from any
    /// deployment; the interactive reference at <c>/scalar</c> only in Development.
    /// </summary>
    public static WebApplication MapChatOpenApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference().AllowAnonymous();
        }

        return app;
    }
}
