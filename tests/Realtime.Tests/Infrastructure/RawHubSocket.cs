using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Realtime.Tests.Infrastructure;

/// <summary>
/// A hub connection spoken by hand over a WebSocket (no SignalR client), so tests can send frames
/// no well-behaved client would: malformed JSON, garbage MessagePack, wrong types, oversized messages.
/// </summary>
public sealed class RawHubSocket : IAsyncDisposable
{
    public const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket = new();
    private readonly StringBuilder _pending = new();
    private int _nextInvocationId;

    public WebSocketState State => _socket.State;

    public static async Task<RawHubSocket> ConnectAsync(Uri server, string token, string protocol = "json", bool handshake = true)
    {
        var raw = new RawHubSocket();
        var url = new UriBuilder(server) { Scheme = "ws", Path = "/hubs/chat", Query = $"access_token={Uri.EscapeDataString(token)}" }.Uri;
        await raw._socket.ConnectAsync(url, CancellationToken.None);
        if (handshake)
        {
            await raw.SendTextAsync($"{{\"protocol\":\"{protocol}\",\"version\":1}}{RecordSeparator}");
            var reply = await raw.ReceiveRecordAsync();
            if (reply != "{}")
            {
                throw new InvalidOperationException($"Handshake refused: {reply}");
            }
        }

        return raw;
    }

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    /// <summary>Sends a JSON invocation whose arguments are raw JSON text, and returns its invocation id.</summary>
    public async Task<string> InvokeAsync(string method, string argumentsJson)
    {
        var id = (++_nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendTextAsync($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":{JsonSerializer.Serialize(method)},\"arguments\":{argumentsJson}}}{RecordSeparator}");
        return id;
    }

    /// <summary>Reads until the completion of <paramref name="invocationId"/>; returns its error, or null on success.</summary>
    public async Task<string?> CompletionErrorAsync(string invocationId) => (await CompletionAsync(invocationId)).Error;

    /// <summary>Reads until the completion of <paramref name="invocationId"/>: its error, or its result as JSON text.</summary>
    public async Task<(string? Error, string? Result)> CompletionAsync(string invocationId)
    {
        while (true)
        {
            var record = await ReceiveRecordAsync() ?? throw new InvalidOperationException("The server closed the connection.");
            using var message = JsonDocument.Parse(record);
            var root = message.RootElement;
            var type = root.GetProperty("type").GetInt32();
            if (type == 7)
            {
                throw new InvalidOperationException($"The server closed the connection: {record}");
            }

            if (type == 3 && root.GetProperty("invocationId").GetString() == invocationId)
            {
                return (
                    root.TryGetProperty("error", out var error) ? error.GetString() : null,
                    root.TryGetProperty("result", out var result) ? result.GetRawText() : null);
            }
        }
    }

    /// <summary>Reads until the server ends the connection; returns the close message's error, if it sent one.</summary>
    public async Task<string?> ClosedWithAsync()
    {
        while (true)
        {
            string? record;
            try
            {
                record = await ReceiveRecordAsync();
            }
            catch (WebSocketException)
            {
                return null;
            }

            if (record is null)
            {
                return null;
            }

            using var message = JsonDocument.Parse(record);
            if (message.RootElement.GetProperty("type").GetInt32() == 7)
            {
                return message.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
            }
        }
    }

    /// <summary>The records of the next whole WebSocket message, or null when the socket closes.</summary>
    public async Task<IReadOnlyList<string>?> ReceiveFrameAsync()
    {
        if (_pending.Length > 0)
        {
            throw new InvalidOperationException("Records of an earlier frame are still unread.");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[16 * 1024];
        var frame = new List<byte>();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            frame.AddRange(buffer.AsSpan(0, result.Count));
        }
        while (!result.EndOfMessage);

        return Encoding.UTF8.GetString([.. frame]).Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The next record-separated JSON text, or null when the socket closes.</summary>
    public async Task<string?> ReceiveRecordAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var text = _pending.ToString();
            var end = text.IndexOf(RecordSeparator, StringComparison.Ordinal);
            if (end >= 0)
            {
                _pending.Remove(0, end + 1);
                return text[..end];
            }

            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // The server already went away; nothing to close.
            }
        }

        _socket.Dispose();
    }
}
