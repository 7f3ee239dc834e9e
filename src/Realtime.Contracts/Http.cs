namespace Realtime.Contracts;

// Bodies of the HTTP routes in the wire contract. Properties are nullable because a client may omit
// them; the server answers invalid_argument rather than failing to bind.

public sealed record DevTokenRequest(string? UserId, string? Name = null, IReadOnlyList<string>? Roles = null);

public sealed record DevTokenResponse(string AccessToken, DateTime ExpiresAt);

public sealed record CreateConversationRequest(string? Title, IReadOnlyList<string>? MemberIds);

public sealed record SendMessageRequest(string? ClientMessageId, string? Content, string? ReplyToMessageId = null);

public sealed record EditMessageRequest(string? Content);

public sealed record OpenDirectConversationRequest(string? UserId);

public sealed record UpdateConversationRequest(string? Title, string? Topic);

public sealed record NotificationRequest(
    IReadOnlyList<string>? UserIds,
    string? ConversationId,
    bool? All,
    string? Kind,
    string? Title,
    string? Body,
    IReadOnlyDictionary<string, string>? Data);
