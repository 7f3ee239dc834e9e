using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
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

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, authOptions) =>
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
                    // Browsers cannot set headers on WebSocket and SSE requests, so the hub accepts the query string.
                    OnMessageReceived = context =>
                    {
                        var token = context.Request.Query["access_token"];
                        if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(ChatEndpoints.HubPath))
                        {
                            context.Token = token;
                        }

                        return Task.CompletedTask;
                    },
                    OnTokenValidated = context =>
                    {
                        context.Principal = SlimPrincipal(context.Principal!);
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

    internal static SymmetricSecurityKey SigningKeyOf(AuthOptions auth) => new(Encoding.UTF8.GetBytes(auth.SigningKey!));

    private sealed class SubjectUserIdProvider : IUserIdProvider
    {
        public string? GetUserId(HubConnectionContext connection) =>
            connection.User.FindFirst(ClaimsPrincipalExtensions.SubjectClaim)?.Value;
    }
}
