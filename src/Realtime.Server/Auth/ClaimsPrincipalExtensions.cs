using System.Security.Claims;
using Realtime.Persistence;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;

namespace Realtime.Server.Auth;

public static class ClaimsPrincipalExtensions
{
    public const string SubjectClaim = "sub";
    public const string NameClaim = "name";
    public const string RoleClaim = "role";

    /// <summary>The caller's user id: the token's <c>sub</c>.</summary>
    public static string RequireUserId(this ClaimsPrincipal? user)
    {
        var subject = user?.FindFirst(SubjectClaim)?.Value;
        return Ids.IsValidId(subject, ChatDbContext.UserIdMaxLength)
            ? subject!
            : throw ChatException.Forbidden("The access token has no usable 'sub' claim.");
    }
}
