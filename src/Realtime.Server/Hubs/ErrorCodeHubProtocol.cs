using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Realtime.Contracts;

namespace Realtime.Server.Hubs;

/// <summary>
/// Makes every failed invocation's error start with the contract's code. SignalR itself wraps a
/// <see cref="HubException"/> as "An unexpected error occurred invoking 'X' on the server. HubException: ...",
/// and its own binding and unknown-method failures carry no code; this rewrites the completion on its way out.
/// </summary>
internal sealed class ErrorCodeHubProtocol(IHubProtocol inner) : IHubProtocol
{
    private const string HubExceptionMarker = " HubException: ";

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Rewrite(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Rewrite(message));

    private static readonly string[] Codes =
    [
        ChatErrorCodes.InvalidArgument, ChatErrorCodes.NotFound, ChatErrorCodes.NotAMember, ChatErrorCodes.Forbidden,
        ChatErrorCodes.RateLimited, ChatErrorCodes.PayloadTooLarge, ChatErrorCodes.Unavailable,
    ];

    internal static string? WithCode(string? error)
    {
        if (error is null)
        {
            return null;
        }

        var at = error.IndexOf(HubExceptionMarker, StringComparison.Ordinal);
        var detail = at >= 0 ? error[(at + HubExceptionMarker.Length)..] : error;
        if (Codes.Any(code => detail.StartsWith(code + ": ", StringComparison.Ordinal)))
        {
            return detail;
        }

        // SignalR's own failures: an unknown method is refused while binding ("Method does not exist."),
        // wrong argument counts or types fail to bind ("Failed to invoke ...").
        if (detail is "Method does not exist." || error.StartsWith("Unknown hub method", StringComparison.Ordinal))
        {
            return $"{ChatErrorCodes.NotFound}: No such hub method.";
        }

        if (error.StartsWith("Failed to invoke '", StringComparison.Ordinal))
        {
            return $"{ChatErrorCodes.InvalidArgument}: The arguments do not match the method's parameters (count or types).";
        }

        if (error.StartsWith("Connection closed with an error.", StringComparison.Ordinal) && detail.Contains("InvalidDataException", StringComparison.Ordinal))
        {
            return $"{ChatErrorCodes.InvalidArgument}: The connection sent a frame that could not be read.";
        }

        // Anything else is a server failure; its text never leaves the server.
        return $"{ChatErrorCodes.Unavailable}: The request failed on the server; nothing was saved. Try again.";
    }

    private static HubMessage Rewrite(HubMessage message) => message switch
    {
        CompletionMessage { Error: { } error } completion when WithCode(error) is var coded && coded != error =>
            new CompletionMessage(completion.InvocationId!, coded, result: null, hasResult: false) { Headers = completion.Headers },
        // A connection refused in OnConnectedAsync (no usable identity, too many connections) is told why.
        CloseMessage { Error: { } error } close => new CloseMessage(WithCode(error), close.AllowReconnect),
        _ => message,
    };
}
