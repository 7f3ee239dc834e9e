namespace Realtime.Contracts;

public static class ChatEndpoints
{
    public const string HubPath = "/hubs/chat";
}

/// <summary>
/// The stable codes that start every hub error message (<c>code: sentence</c>) and
/// name every HTTP problem.
/// </summary>
public static class ChatErrorCodes
{
    public const string InvalidArgument = "invalid_argument";
    public const string NotFound = "not_found";
    public const string NotAMember = "not_a_member";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string PayloadTooLarge = "payload_too_large";
    public const string Unavailable = "unavailable";
}

/// <summary>The values of <see cref="ConversationDto.Kind"/>.</summary>
public static class ConversationKinds
{
    public const string Group = "group";
    public const string Direct = "direct";
}

/// <summary>The values of <see cref="MemberDto.Role"/>.</summary>
public static class ConversationRoles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Member = "member";
}
