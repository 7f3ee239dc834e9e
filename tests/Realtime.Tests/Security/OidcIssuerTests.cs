using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Realtime.Client;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Security;

/// <summary>Auth:Authority with a real (local) OIDC issuer: keys come from its metadata, and a rotated key is picked up.</summary>
public sealed class OidcIssuerTests
{
    [Fact]
    public async Task Tokens_from_an_oidc_issuer_are_accepted_and_a_rotated_signing_key_is_fetched_from_its_metadata()
    {
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        var current = new RsaSecurityKey(first) { KeyId = "key-1" };
        await using var issuer = await StartIssuerAsync(() => current);

        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = issuer.Urls.Single(),
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:MetadataRefreshInterval"] = "00:00:01",
            ["Auth:Audience"] = "realtime",
            ["Auth:Issuer"] = "",
            ["Auth:SigningKey"] = "",
            ["Auth:DevTokens"] = "false",
        });

        (await CanConnectAsync(server, Token(issuer.Urls.Single(), current, "oidc-alice"))).Should().BeTrue();
        (await CanConnectAsync(server, Token("https://someone-else.example", current, "oidc-alice"))).Should().BeFalse("the issuer must match the metadata");

        current = new RsaSecurityKey(second) { KeyId = "key-2" };
        var rotated = Token(issuer.Urls.Single(), current, "oidc-bob");
        await Eventually.HoldsAsync(() => CanConnectAsync(server, rotated), "a token signed with the rotated key is accepted", TimeSpan.FromSeconds(20));
        using var unknownKey = RSA.Create(2048);
        (await CanConnectAsync(server, Token(issuer.Urls.Single(), new RsaSecurityKey(unknownKey) { KeyId = "key-1" }, "mallory"))).Should().BeFalse("a key the issuer does not publish is refused");
    }

    private static async Task<bool> CanConnectAsync(ChatServer server, string token)
    {
        await using var client = ChatClient.Create(server.BaseAddress, () => Task.FromResult<string?>(token));
        try
        {
            await client.StartAsync();
            return (await client.GetConversations()) is not null;
        }
        catch (HttpRequestException exception) when (exception.StatusCode == HttpStatusCode.Unauthorized)
        {
            return false;
        }
    }

    private static string Token(string issuer, RsaSecurityKey key, string subject) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = "realtime",
        Subject = new ClaimsIdentity([new Claim("sub", subject)]),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
    });

    /// <summary>A minimal OpenID Connect issuer: discovery document and a JWKS with whichever key is current.</summary>
    private static async Task<WebApplication> StartIssuerAsync(Func<RsaSecurityKey> currentKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", (HttpContext http) =>
        {
            var self = $"{http.Request.Scheme}://{http.Request.Host}";
            return Results.Json(new Dictionary<string, object> { ["issuer"] = self, ["jwks_uri"] = $"{self}/jwks" });
        });
        app.MapGet("/jwks", () =>
        {
            var key = currentKey();
            var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
            var jwk = new Dictionary<string, string>
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = key.KeyId,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            };
            return Results.Json(new Dictionary<string, object> { ["keys"] = new[] { jwk } });
        });
        await app.StartAsync();
        return app;
    }
}
