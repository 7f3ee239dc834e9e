using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Realtime.Server.Auth;

/// <summary>
/// A hub connect is two requests with the same token: the negotiate, then the WebSocket upgrade (or the
/// first poll) milliseconds later. The negotiate's validated principal is kept for that second request to
/// take once, so a connect pays for one validation of the token's signature and claims, not two. An entry
/// lives for <see cref="AuthOptions.ConnectTokenReuse"/> and never past the token's own expiry.
/// </summary>
public sealed class NegotiatedTokens : IDisposable
{
    private readonly MemoryCache _validated;
    private readonly TimeSpan _window;
    private readonly TimeProvider _clock;

    public NegotiatedTokens(IOptions<AuthOptions> options, TimeProvider clock)
    {
        _window = options.Value.ConnectTokenReuse;
        _clock = clock;
        _validated = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.ConnectTokenReuseEntries });
    }

    public void Keep(string token, ClaimsPrincipal principal, DateTime validToUtc)
    {
        var left = validToUtc - _clock.GetUtcNow().UtcDateTime;
        var lifetime = left < _window ? left : _window;
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        // Past the size limit the cache refuses the entry: that connect's upgrade validates the token itself.
        _validated.Set(token, new Validated(principal, validToUtc), new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime, Size = 1 });
    }

    /// <summary>The principal the negotiate validated, and the token's expiry (which closes the connection then).</summary>
    public bool TryTake(string token, out ClaimsPrincipal principal, out DateTime validToUtc)
    {
        if (_validated.TryGetValue(token, out Validated? kept) && kept is not null)
        {
            _validated.Remove(token);
            (principal, validToUtc) = (kept.Principal, kept.ValidToUtc);
            return true;
        }

        (principal, validToUtc) = (null!, default);
        return false;
    }

    private sealed record Validated(ClaimsPrincipal Principal, DateTime ValidToUtc);

    public void Dispose() => _validated.Dispose();
}
