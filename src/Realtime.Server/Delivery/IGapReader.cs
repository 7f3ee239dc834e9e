using Realtime.Contracts;

namespace Realtime.Server.Delivery;

/// <summary>The record delivery falls back on: what was committed, read back from the database.</summary>
public interface IGapReader
{
    /// <summary>A conversation's messages after <paramref name="afterSequence"/> up to and including <paramref name="upToSequence"/>, in order.</summary>
    Task<IReadOnlyList<MessageDto>> ReadAsync(string conversationId, long afterSequence, long upToSequence, CancellationToken cancellationToken);

    /// <summary>The last sequence of each of these conversations that has any message.</summary>
    Task<IReadOnlyDictionary<string, long>> ReadLastSequencesAsync(IReadOnlyCollection<string> conversationIds, CancellationToken cancellationToken);
}

/// <summary>Where ordered messages go: this node's members of their conversations.</summary>
public interface IDeliverySink
{
    /// <summary>Writes messages, each conversation's in order; completes once they are written.</summary>
    Task WriteAsync(IReadOnlyList<MessageDto> messages);
}
