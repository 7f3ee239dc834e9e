using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Realtime.Server.OpenApi;

/// <summary>
/// Declares the JWT bearer scheme once and requires it on exactly the operations whose route requires
/// authorization, so a client generator sends the token where it is needed and nowhere else.
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    private const string SchemeName = JwtBearerDefaults.AuthenticationScheme;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            In = ParameterLocation.Header,
            Description = "A JWT from the configured issuer (or POST /api/dev/token where dev tokens are on). "
                + "The user id is its sub claim, the display name its name claim, roles its role claims.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }

        var roles = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
        if (roles.Contains(Auth.AuthExtensions.NotifierPolicy))
        {
            operation.Description = AppendSentence(operation.Description, "The token needs the role admin or service.");
        }
        else if (roles.Contains(Auth.AuthExtensions.AdminPolicy))
        {
            operation.Description = AppendSentence(operation.Description, "The token needs the role admin.");
        }

        return Task.CompletedTask;
    }

    private static string AppendSentence(string? text, string sentence) =>
        string.IsNullOrEmpty(text) ? sentence : $"{text} {sentence}";
}
