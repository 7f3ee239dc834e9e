using System.Buffers;
using System.Net.WebSockets;

namespace PlainSignalR;

/// <summary>A WebSocket accepted by Kestrel and held until the client closes it; what arrives is read and dropped.</summary>
internal static class BareWebSocket
{
    public static async Task HoldAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        try
        {
            while (true)
            {
                // Wait without a buffer, as SignalR's transport does, and rent one only once bytes are there.
                var ready = await socket.ReceiveAsync(Memory<byte>.Empty, context.RequestAborted);
                if (ready.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                var buffer = ArrayPool<byte>.Shared.Rent(4096);
                try
                {
                    await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // The client went away without a close: nothing to hold any more.
        }
    }
}
