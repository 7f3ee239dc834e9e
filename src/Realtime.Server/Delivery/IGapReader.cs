namespace Realtime.Server.Delivery;

/// <summary>The record delivery falls back on: what was committed, read back from the database.</summary>
public interface IGapReader
{
    /// <summary>
    /// The messages of a conversation whose current revision is after <paramref name="afterRevision"/> up to and
    /// including <paramref name="upToRevision"/>, in revision order, each in its current state: the database's
    /// record of that range (a revision missing from it was superseded by a later change of its message).
    /// </summary>
    Task<IReadOnlyList<LogEntry>> ReadAsync(string conversationId, long afterRevision, long upToRevision, CancellationToken cancellationToken);

    /// <summary>The last revision of each of these conversations that has any.</summary>
    Task<IReadOnlyDictionary<string, long>> ReadLastRevisionsAsync(IReadOnlyCollection<string> conversationIds, CancellationToken cancellationToken);
}

/// <summary>Where ordered messages go: this node's members of their conversations.</summary>
public interface IDeliverySink
{
    /// <summary>Writes log entries, each conversation's in order; completes once they are written.</summary>
    Task WriteAsync(IReadOnlyList<LogEntry> entries);
}
