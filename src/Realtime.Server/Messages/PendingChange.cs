using System.Diagnostics;
using Realtime.Contracts;

namespace Realtime.Server.Messages;

public enum ChangeKind
{
    Edit,
    Delete,
    AddReaction,
    RemoveReaction,
}

/// <summary>What queues for the group commit: a send or a change to a stored message.</summary>
public abstract record PendingWrite
{
    /// <summary>The caller's span, so the batch that writes and publishes this joins its trace.</summary>
    internal ActivityContext TraceContext { get; } = Activity.Current?.Context ?? default;
}

/// <summary>
/// A validated change to a message waiting for its turn in the next batch: an edit (<see cref="Content"/>),
/// a delete, or a reaction (<see cref="Emoji"/>) added or removed by <see cref="ActorId"/>.
/// </summary>
public sealed record PendingChange(ChangeKind Kind, string ActorId, string ConversationId, string MessageId, string? Content = null, string? Emoji = null) : PendingWrite
{
    internal TaskCompletionSource<ChangeResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The message after a change; <see cref="Changed"/> is false when the call changed nothing and took no revision.</summary>
public sealed record ChangeResult(MessageDto Message, bool Changed);
