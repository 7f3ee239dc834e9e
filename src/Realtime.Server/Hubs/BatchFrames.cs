using Microsoft.AspNetCore.SignalR.Protocol;
using Realtime.Contracts;
using Realtime.Server.Delivery;

namespace Realtime.Server.Hubs;

/// <summary>
/// A batch's log entries as <c>MessageReceived</c> or <c>MessageUpdated</c> invocations in each protocol, each serialized once, when
/// first needed. Both protocols frame every message (JSON ends each with a record separator, MessagePack
/// prefixes its length), so several frames written together are still several messages to the client.
/// </summary>
internal sealed class BatchFrames(IReadOnlyList<LogEntry> messages)
{
    private readonly List<(IHubProtocol Protocol, ReadOnlyMemory<byte>[] Frames)> _byProtocol = new(2);

    /// <summary>The frames of the messages at <paramref name="indexes"/>, back to back in one buffer.</summary>
    public ReadOnlyMemory<byte> Joined(IHubProtocol protocol, List<int> indexes) =>
        Join(indexes, (Frames: this, Protocol: protocol), static (state, index) => state.Frames.Frame(state.Protocol, index));

    /// <summary>Frames back to back in one buffer: several frames written together are still several messages to the client.</summary>
    internal static ReadOnlyMemory<byte> Join<TState>(List<int> indexes, TState state, Func<TState, int, ReadOnlyMemory<byte>> frameOf)
    {
        if (indexes.Count == 1)
        {
            return frameOf(state, indexes[0]);
        }

        var length = 0;
        foreach (var index in indexes)
        {
            length += frameOf(state, index).Length;
        }

        var buffer = new byte[length];
        var offset = 0;
        foreach (var index in indexes)
        {
            var frame = frameOf(state, index);
            frame.Span.CopyTo(buffer.AsSpan(offset));
            offset += frame.Length;
        }

        return buffer;
    }

    public ReadOnlyMemory<byte> Frame(IHubProtocol protocol, int index)
    {
        var frames = FramesIn(protocol);
        if (frames[index].IsEmpty)
        {
            var entry = messages[index];
            var target = entry.IsUpdate ? nameof(IChatClient.MessageUpdated) : nameof(IChatClient.MessageReceived);
            frames[index] = protocol.GetMessageBytes(new InvocationMessage(target, [entry.Message]));
        }

        return frames[index];
    }

    private ReadOnlyMemory<byte>[] FramesIn(IHubProtocol protocol)
    {
        foreach (var (known, frames) in _byProtocol)
        {
            if (ReferenceEquals(known, protocol))
            {
                return frames;
            }
        }

        var added = new ReadOnlyMemory<byte>[messages.Count];
        _byProtocol.Add((protocol, added));
        return added;
    }
}
