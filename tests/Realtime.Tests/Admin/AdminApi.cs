using System.Net;
using System.Net.Http.Json;
using Realtime.Server.Admin;

namespace Realtime.Tests.Admin;

/// <summary>The admin routes as a test calls them.</summary>
internal static class AdminApi
{
    public static async Task<ClusterStats> StatsAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync(new Uri("/api/admin/stats", UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<ClusterStats>())!;
    }

    public static async Task<DisconnectResult> DisconnectAsync(HttpClient admin, string userId)
    {
        using var response = await admin.PostAsync(new Uri($"/api/admin/users/{userId}/disconnect", UriKind.Relative), content: null);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<DisconnectResult>())!;
    }

    /// <summary>Both routes refuse <paramref name="caller"/> with <paramref name="status"/> and, for a signed-in caller, the contract code.</summary>
    public static async Task ExpectRefusedAsync(HttpClient caller, HttpStatusCode status, string? code)
    {
        foreach (var request in new Func<Task<HttpResponseMessage>>[]
        {
            () => caller.GetAsync(new Uri("/api/admin/stats", UriKind.Relative)),
            () => caller.PostAsync(new Uri("/api/admin/users/someone/disconnect", UriKind.Relative), content: null),
        })
        {
            using var response = await request();
            response.StatusCode.Should().Be(status);
            if (code is not null)
            {
                response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
                var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
                problem!["code"].ToString().Should().Be(code);
            }
        }
    }
}
