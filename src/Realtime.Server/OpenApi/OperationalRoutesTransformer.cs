using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Realtime.Server.OpenApi;

/// <summary>
/// The health and metrics routes are not route handlers, so the generator cannot see them; they are
/// written here by hand so the document lists every route the service answers.
/// </summary>
internal sealed class OperationalRoutesTransformer : IOpenApiDocumentTransformer
{
    private const string Tag = "Operations";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths ??= [];
        document.Paths["/health/live"] = Get(document, "Liveness", "Answers while the process runs; it checks nothing else.", Text("Healthy"), unavailable: false);
        document.Paths["/health/ready"] = Get(document, "Readiness", "Healthy when the database (and Redis, when scale-out is on) answer; a load balancer sends traffic only to ready nodes.", Text("Healthy"), unavailable: true);
        document.Paths["/metrics"] = Get(document, "Prometheus metrics", "The node's metrics in the Prometheus text format, for a cluster-internal scraper.", Text("# TYPE realtime_connections gauge"), unavailable: false);
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag { Name = Tag, Description = "Probes and metrics for the platform; anonymous, meant for inside the cluster." });
        return Task.CompletedTask;
    }

    private static OpenApiPathItem Get(OpenApiDocument document, string summary, string description, OpenApiMediaType body, bool unavailable)
    {
        var responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "OK", Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = body } } };
        if (unavailable)
        {
            responses["503"] = new OpenApiResponse { Description = "A dependency does not answer.", Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = Text("Unhealthy") } };
        }

        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new OpenApiOperation
                {
                    Summary = summary,
                    Description = description,
                    Tags = new HashSet<OpenApiTagReference> { new(Tag) },
                    Responses = responses,
                },
            },
        };
    }

    private static OpenApiMediaType Text(string example) => new()
    {
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        Example = JsonValue.Create(example),
    };
}
