namespace Realtime.Server.Auth;

/// <summary>Section <c>Auth</c>: HS256 with <see cref="SigningKey"/>, or an OIDC issuer at <see cref="Authority"/>.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The key shipped in appsettings.Development.json; the service refuses to run with it in Production.</summary>
    public const string DevelopmentSigningKey = "realtime-development-signing-key-not-for-production-use";

    public string? Issuer { get; set; }

    public string? Audience { get; set; }

    public string? SigningKey { get; set; }

    /// <summary>An OIDC issuer; its signing keys (and their rotation) come from its metadata.</summary>
    public string? Authority { get; set; }

    /// <summary>Fetch the <see cref="Authority"/>'s metadata over HTTPS only. Turn off only for a local test issuer.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The least time between two metadata fetches forced by a token that names an unknown key.</summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Enables <c>POST /api/dev/token</c>. Never in Production.</summary>
    public bool DevTokens { get; set; }

    public TimeSpan DevTokenLifetime { get; set; } = TimeSpan.FromHours(8);

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a token the hub's negotiate validated stands for the same connect's WebSocket upgrade (or first
    /// poll), never past the token's expiry. Zero validates the token at both requests.
    /// </summary>
    public TimeSpan ConnectTokenReuse { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many negotiated tokens wait for their upgrade; past it, an upgrade validates its token itself.</summary>
    public int ConnectTokenReuseEntries { get; set; } = 10_000;
}
