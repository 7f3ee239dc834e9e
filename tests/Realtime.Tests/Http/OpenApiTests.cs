using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Http;

public sealed partial class OpenApiTests
{
    private static readonly string[] Codes =
    [
        ChatErrorCodes.InvalidArgument, ChatErrorCodes.NotFound, ChatErrorCodes.NotAMember, ChatErrorCodes.Forbidden,
        ChatErrorCodes.RateLimited, ChatErrorCodes.PayloadTooLarge, ChatErrorCodes.Unavailable,
    ];

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task The_document_describes_every_api_route_with_its_schemas_problems_and_bearer_scheme(string environment)
    {
        await using var server = await StartAsync(environment);
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var root = document.RootElement;

        var routes = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(method => (Endpoint: e, Method: method)))
            .ToList();
        routes.Should().HaveCountGreaterThanOrEqualTo(5, "the contract's REST routes are mapped (and the dev-token route where it is on)");

        foreach (var (endpoint, method) in routes)
        {
            var path = OpenApiPath(endpoint.RoutePattern.RawText!);
            var route = $"{method} {path}";
            root.GetProperty("paths").TryGetProperty(path, out var item).Should().BeTrue($"{route} is in the document");
            item.TryGetProperty(method.ToLowerInvariant(), out var operation).Should().BeTrue($"{route} is documented with its method");
            operation.GetProperty("summary").GetString().Should().NotBeNullOrWhiteSpace($"{route} says what it does");

            // A POST that takes no body (an action on the resource its route names) has none to describe.
            if (method is "POST" or "PUT" or "PATCH" && endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not null)
            {
                var body = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
                PropertiesOf(root, body).Should().NotBeEmpty($"{route} describes its request body");
            }

            var responses = operation.GetProperty("responses").EnumerateObject().ToList();
            var success = responses.Where(r => r.Name.StartsWith('2')).ToList();
            success.Should().NotBeEmpty($"{route} documents its success");
            success.Should().OnlyContain(
                r => PropertiesOf(root, r.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema")).Count > 0,
                $"{route} describes the body of its success");

            var problems = responses.Where(r => r.Name[0] is '4' or '5').ToList();
            problems.Should().NotBeEmpty($"{route} documents its failures");
            foreach (var problem in problems)
            {
                var schema = problem.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
                PropertiesOf(root, schema).Should().Contain(["code", "title", "detail", "status"], $"{route} {problem.Name} is a problem details body");
                if (problem.Name != "401")
                {
                    problem.Value.GetProperty("description").GetString().Should().ContainAny(Codes, $"{route} {problem.Name} names the codes it stands for");
                }
            }

            var secured = endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
            var requirements = operation.TryGetProperty("security", out var security)
                ? security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToList()
                : [];
            if (secured)
            {
                requirements.Should().Contain("Bearer", $"{route} needs a token");
            }
            else
            {
                requirements.Should().BeEmpty($"{route} is anonymous");
            }
        }

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        scheme.GetProperty("type").GetString().Should().Be("http");
        scheme.GetProperty("scheme").GetString().Should().Be("bearer");
        scheme.GetProperty("bearerFormat").GetString().Should().Be("JWT");
        var code = root.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties").GetProperty("code");
        code.GetProperty("enum").EnumerateArray().Select(c => c.GetString()).Should().BeEquivalentTo(Codes, "the problem schema lists the contract's codes");
        foreach (var (path, method) in new[] { ("/api/conversations/direct", "post"), ("/api/conversations/{id}", "patch"), ("/api/conversations/{id}/receipts", "get") })
        {
            root.GetProperty("paths").GetProperty(path).TryGetProperty(method, out _).Should().BeTrue($"{method} {path} of contract v2 is listed");
        }

        root.GetProperty("paths").TryGetProperty("/health/ready", out _).Should().BeTrue("the probes are listed too");
        root.GetProperty("paths").TryGetProperty("/metrics", out _).Should().BeTrue();
    }

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    public async Task The_interactive_reference_is_served_in_development_only(string environment, bool served)
    {
        await using var server = await StartAsync(environment);

        using var reference = await server.Http.GetAsync(new Uri("/scalar/", UriKind.Relative));

        if (served)
        {
            reference.StatusCode.Should().Be(HttpStatusCode.OK);
            (await reference.Content.ReadAsStringAsync()).Should().Contain("openapi/v1.json", "the reference reads the service's own document");
            using var script = await server.Http.GetAsync(new Uri("/scalar/scalar.js", UriKind.Relative));
            script.StatusCode.Should().Be(HttpStatusCode.OK, "the reference is served by the service itself, not from a CDN");
        }
        else
        {
            reference.StatusCode.Should().Be(HttpStatusCode.NotFound);
        }
    }

    /// <summary>Development maps the dev-token route; Production refuses to start with it.</summary>
    private static Task<ChatServer> StartAsync(string environment) => ChatServer.StartAsync(
        new Dictionary<string, string?> { ["Auth:DevTokens"] = environment == "Development" ? "true" : "false" },
        environment);

    /// <summary>A route pattern as OpenAPI writes it: no constraints, no trailing slash.</summary>
    private static string OpenApiPath(string pattern)
    {
        var path = Parameter().Replace(pattern, "{$1}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>The property names of a schema (following $ref), or of its items for an array.</summary>
    private static List<string> PropertiesOf(JsonElement root, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/components/schemas/".Length..];
            return PropertiesOf(root, root.GetProperty("components").GetProperty("schemas").GetProperty(name));
        }

        if (schema.TryGetProperty("items", out var items))
        {
            return PropertiesOf(root, items);
        }

        return schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name).ToList() : [];
    }

    [GeneratedRegex(@"\{\*{0,2}([^}:=?]+)[^}]*\}")]
    private static partial Regex Parameter();
}
