using Realtime.Contracts;

namespace Realtime.Server.Errors;

/// <summary>A refusal the caller can act on. <see cref="Code"/> is one of <see cref="ChatErrorCodes"/>.</summary>
public sealed class ChatException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public static ChatException InvalidArgument(string message) => new(ChatErrorCodes.InvalidArgument, message);

    public static ChatException NotFound(string message) => new(ChatErrorCodes.NotFound, message);

    public static ChatException NotAMember(string message) => new(ChatErrorCodes.NotAMember, message);

    public static ChatException Forbidden(string message) => new(ChatErrorCodes.Forbidden, message);

    public static ChatException RateLimited(string message) => new(ChatErrorCodes.RateLimited, message);

    public static ChatException PayloadTooLarge(string message) => new(ChatErrorCodes.PayloadTooLarge, message);

    public static ChatException Unavailable(string message) => new(ChatErrorCodes.Unavailable, message);
}
