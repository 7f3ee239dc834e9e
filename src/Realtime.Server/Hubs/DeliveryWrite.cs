using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Realtime.Contracts;
using Realtime.Server.Delivery;

namespace Realtime.Server.Hubs;

/// <summary>
/// One delivery's writes to this node's members: a connection's messages of the delivery in one write,
/// each message serialized once per protocol. The members of a single conversation of the delivery (nearly
/// everyone: a delivery is usually one conversation's, and a member rarely shares a delivery with another of
/// its conversations) all get that conversation's one shared <see cref="SerializedHubMessage"/>, as SignalR's
/// own group send does, instead of a message, a list and a dictionary entry each.
/// </summary>
internal static class DeliveryWrite
{
    public static Task WriteAsync(IReadOnlyList<LogEntry> messages, ConcurrentDictionary<string, ConcurrentDictionary<string, LocalConnection>> groups)
    {
        var runs = RunsOf(messages, groups);
        if (runs is null)
        {
            return Task.CompletedTask;
        }

        var frames = new BatchFrames(messages);
        List<Task>? pending = null;
        if (runs.Count == 1)
        {
            foreach (var (_, member) in runs[0].Members)
            {
                Track(ref pending, Write(member, runs[0], frames));
            }

            return Finish(pending);
        }

        // A member of several conversations of this delivery: its messages merged in delivery order.
        var runOf = new Dictionary<LocalConnection, int>(ReferenceEqualityComparer.Instance);
        for (var r = 0; r < runs.Count; r++)
        {
            foreach (var (_, member) in runs[r].Members)
            {
                ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(runOf, member, out var exists);
                seen = exists ? -1 : r;
            }
        }

        foreach (var (member, r) in runOf)
        {
            Track(ref pending, r >= 0 ? Write(member, runs[r], frames) : Write(member, MergedIndexes(member, runs), frames));
        }

        return Finish(pending);
    }

    /// <summary>Each conversation of the delivery that has members here, with the indexes of its messages; null when none has.</summary>
    private static List<ConversationRun>? RunsOf(IReadOnlyList<LogEntry> messages, ConcurrentDictionary<string, ConcurrentDictionary<string, LocalConnection>> groups)
    {
        List<ConversationRun>? runs = null;
        Dictionary<string, ConversationRun>? byConversation = null;
        ConversationRun? last = null;
        for (var i = 0; i < messages.Count; i++)
        {
            // A conversation's messages mostly come together: look the previous one up first.
            var conversationId = messages[i].ConversationId;
            if (last?.ConversationId == conversationId || byConversation?.TryGetValue(conversationId, out last) == true)
            {
                last!.Indexes.Add(i);
                continue;
            }

            if (!groups.TryGetValue(conversationId, out var members))
            {
                continue;
            }

            last = new ConversationRun(conversationId, members);
            last.Indexes.Add(i);
            (runs ??= []).Add(last);
            (byConversation ??= new(StringComparer.Ordinal))[conversationId] = last;
        }

        return runs;
    }

    private static List<int> MergedIndexes(LocalConnection member, List<ConversationRun> runs)
    {
        var indexes = new List<int>();
        foreach (var run in runs)
        {
            if (run.Members.TryGetValue(member.Context.ConnectionId, out var same) && ReferenceEquals(same, member))
            {
                indexes.AddRange(run.Indexes);
            }
        }

        indexes.Sort();
        return indexes;
    }

    private static Task Write(LocalConnection member, ConversationRun run, BatchFrames frames) =>
        member.UsesStatefulReconnect ? WriteEach(member, run.Indexes, frames) : member.Context.WriteAsync(run.MessageFor(member.Context.Protocol, frames)).AsTask();

    private static Task Write(LocalConnection member, List<int> indexes, BatchFrames frames) =>
        member.UsesStatefulReconnect ? WriteEach(member, indexes, frames) : member.Context.WriteAsync(Serialized(member.Context.Protocol, frames.Joined(member.Context.Protocol, indexes))).AsTask();

    // Stateful reconnect numbers writes while the client acknowledges messages: such a connection gets
    // one write per message, in order, so that what it resends after a reconnect lines up.
    private static Task WriteEach(LocalConnection member, List<int> indexes, BatchFrames frames)
    {
        var protocol = member.Context.Protocol;
        return WriteEachAsync(member.Context, indexes.ConvertAll(index => frames.Frame(protocol, index)));
    }

    private static async Task WriteEachAsync(HubConnectionContext connection, List<ReadOnlyMemory<byte>> frames)
    {
        foreach (var frame in frames)
        {
            await connection.WriteAsync(Serialized(connection.Protocol, frame));
        }
    }

    private static void Track(ref List<Task>? pending, Task write)
    {
        if (!write.IsCompletedSuccessfully)
        {
            (pending ??= []).Add(write);
        }
    }

    private static Task Finish(List<Task>? pending) => pending is null ? Task.CompletedTask : Task.WhenAll(pending);

    internal static SerializedHubMessage Serialized(IHubProtocol protocol, ReadOnlyMemory<byte> bytes) =>
        new([new SerializedMessage(protocol.Name, bytes)]);

    /// <summary>One conversation's messages of a delivery and its members here, with its joined frames per protocol, built once.</summary>
    private sealed class ConversationRun(string conversationId, ConcurrentDictionary<string, LocalConnection> members)
    {
        private readonly List<(IHubProtocol Protocol, SerializedHubMessage Message)> _messages = new(2);

        public string ConversationId { get; } = conversationId;

        public ConcurrentDictionary<string, LocalConnection> Members { get; } = members;

        public List<int> Indexes { get; } = [];

        public SerializedHubMessage MessageFor(IHubProtocol protocol, BatchFrames frames)
        {
            foreach (var (known, message) in _messages)
            {
                if (ReferenceEquals(known, protocol))
                {
                    return message;
                }
            }

            var added = Serialized(protocol, frames.Joined(protocol, Indexes));
            _messages.Add((protocol, added));
            return added;
        }
    }
}
