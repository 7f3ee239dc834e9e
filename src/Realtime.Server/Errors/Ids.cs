using System.Buffers;
using Realtime.Persistence;
using Realtime.Server.Errors;

namespace Realtime.Server.Errors;

/// <summary>Validation of the ids that arrive from clients, so malformed input is refused before it reaches storage.</summary>
public static class Ids
{
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:@|");

    public static string NewId() => Guid.CreateVersion7().ToString("N");

    public static bool IsValidId(string? value, int maxLength) =>
        !string.IsNullOrEmpty(value) && value.Length <= maxLength && !value.AsSpan().ContainsAnyExcept(Allowed);

    public static string RequireConversationId(string? value) => Require(value, ChatDbContext.IdMaxLength, "conversationId");

    public static string RequireUserId(string? value, string name = "userId") => Require(value, ChatDbContext.UserIdMaxLength, name);

    public static string RequireMessageId(string? value, string name = "messageId") => Require(value, ChatDbContext.IdMaxLength, name);

    public static string RequireClientMessageId(string? value) => Require(value, ChatDbContext.ClientMessageIdMaxLength, "clientMessageId");

    private static string Require(string? value, int maxLength, string name) =>
        IsValidId(value, maxLength)
            ? value!
            : throw ChatException.InvalidArgument(
                $"{name} must be 1 to {maxLength} characters of letters, digits and - _ . : @ |.");
}
