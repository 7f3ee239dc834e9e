using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Realtime.Contracts;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;

namespace Realtime.Server.Auth;

/// <summary>Signs tokens for local development and tests, with the same key the service validates with.</summary>
public sealed class DevTokenIssuer(IOptions<AuthOptions> options, TimeProvider clock)
{
    public DevTokenResponse Issue(DevTokenRequest request, TimeSpan? lifetime = null)
    {
        var auth = options.Value;
        var userId = Ids.RequireUserId(request.UserId);
        if (request.Name is { Length: > 100 })
        {
            throw ChatException.InvalidArgument("name is longer than 100 characters.");
        }

        var roles = (request.Roles ?? []).Select(role => Ids.RequireUserId(role, "roles")).ToList();
        var now = clock.UtcNowForStorage();
        var expires = now + (lifetime ?? auth.DevTokenLifetime);
        var claims = new List<Claim> { new(ClaimsPrincipalExtensions.SubjectClaim, userId), new(ClaimsPrincipalExtensions.NameClaim, request.Name ?? userId) };
        claims.AddRange(roles.Select(role => new Claim(ClaimsPrincipalExtensions.RoleClaim, role)));

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(AuthExtensions.SigningKeyOf(auth), SecurityAlgorithms.HmacSha256),
        });
        return new DevTokenResponse(token, expires);
    }
}
