using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Realtime.Contracts;

namespace Realtime.Server.Auth;

public static class AuthExtensions
{
    public const string NotifierPolicy = "notifier";

    public const string AdminPolicy = "admin";

    public static IHostApplicationBuilder AddChatAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();

        builder.Services.AddSingleton<NegotiatedTokens>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, NegotiatedTokens>((jwt, authOptions, negotiated) =>
            {
                var auth = authOptions.Value;
                jwt.MapInboundClaims = false;
                jwt.SaveToken = false; // nothing reads it back, and a hub connection would carry a copy for its whole life
                if (!string.IsNullOrWhiteSpace(auth.Authority))
                {
                    // Signing keys come from the issuer's metadata and are fetched again when a token names an unknown key.
                    jwt.Authority = auth.Authority;
                    jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
                    jwt.RefreshInterval = auth.MetadataRefreshInterval;
                }

                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidIssuer = string.IsNullOrWhiteSpace(auth.Authority) ? auth.Issuer : null,
                    ValidateAudience = true,
                    ValidAudience = auth.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = auth.ClockSkew,
                    ValidateIssuerSigningKey = true,
                    IssuerSigningKey = string.IsNullOrEmpty(auth.SigningKey) ? null : SigningKeyOf(auth),
                    NameClaimType = ClaimsPrincipalExtensions.NameClaim,
                    RoleClaimType = ClaimsPrincipalExtensions.RoleClaim,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        if (!context.Request.Path.StartsWithSegments(ChatEndpoints.HubPath, out var rest))
                        {
                            return Task.CompletedTask;
                        }

                        // Browsers cannot set headers on WebSocket and SSE requests, so the hub accepts the query string.
                        string? token = context.Request.Query["access_token"];
                        if (!string.IsNullOrEmpty(token))
                        {
                            context.Token = token;
                        }
                        else
                        {
                            token = BearerOf(context.Request);
                        }

                        if (token is not null && !IsNegotiate(rest) && negotiated.TryTake(token, out var principal, out var validTo))
                        {
                            // As the handler does for a token it validates: SignalR closes the connection at this time.
                            context.Properties.ExpiresUtc = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
                            context.Principal = principal;
                            context.Success();
                        }

                        return Task.CompletedTask;
                    },
                    OnTokenValidated = context =>
                    {
                        context.Principal = SlimPrincipal(context.Principal!);
                        if (context.SecurityToken is JsonWebToken jwt
                            && context.Request.Path.StartsWithSegments(ChatEndpoints.HubPath, out var rest) && IsNegotiate(rest))
                        {
                            negotiated.Keep(jwt.EncodedToken, context.Principal, jwt.ValidTo);
                        }

                        return Task.CompletedTask;
                    },
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(NotifierPolicy, policy => policy.RequireAuthenticatedUser().RequireRole("admin", "service"))
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole("admin"));
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ChatAuthorizationResultHandler>();
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        builder.Services.AddSingleton<DevTokenIssuer>();
        return builder;
    }

    /// <summary>
    /// Only the claims the service reads. A hub connection holds its principal for as long as it is
    /// open; the validated token's own (the parsed token, the issuer on every claim, the registered
    /// claims and their JSON type properties) would cost several kilobytes on every idle connection.
    /// </summary>
    private static ClaimsPrincipal SlimPrincipal(ClaimsPrincipal validated)
    {
        var identity = (ClaimsIdentity)validated.Identity!;
        var kept = new List<Claim>(4);
        foreach (var claim in validated.Claims)
        {
            // The constant rather than the token's own copy of the type: one string shared by every connection.
            var type = claim.Type switch
            {
                ClaimsPrincipalExtensions.SubjectClaim => ClaimsPrincipalExtensions.SubjectClaim,
                ClaimsPrincipalExtensions.NameClaim => ClaimsPrincipalExtensions.NameClaim,
                ClaimsPrincipalExtensions.RoleClaim => ClaimsPrincipalExtensions.RoleClaim,
                _ => null,
            };
            if (type is not null)
            {
                kept.Add(new Claim(type, claim.Value));
            }
        }

        return new ClaimsPrincipal(new ClaimsIdentity(kept, identity.AuthenticationType, ClaimsPrincipalExtensions.NameClaim, ClaimsPrincipalExtensions.RoleClaim));
    }

    private static bool IsNegotiate(PathString afterHub) => afterHub.Equals("/negotiate", StringComparison.OrdinalIgnoreCase);

    private static string? BearerOf(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    internal static SymmetricSecurityKey SigningKeyOf(AuthOptions auth) => new(Encoding.UTF8.GetBytes(auth.SigningKey!));

    private sealed class SubjectUserIdProvider : IUserIdProvider
    {
        public string? GetUserId(HubConnectionContext connection) =>
            connection.User.FindFirst(ClaimsPrincipalExtensions.SubjectClaim)?.Value;
    }
}
