using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Errors;

namespace Realtime.Server.Messages;

/// <summary>
/// A batch of changes worked out in memory against what was read before the commit: who may make each,
/// which change nothing, and the state of every touched message after each change. Only the changes
/// that change something take a revision; the commit writes the final state of each touched message
/// on condition that nothing changed it since the read (its revision), so a race with another node
/// fails the batch rather than overwrite.
/// </summary>
internal sealed class ChangePlan(ChatOptions limits, DateTime now)
{
    private readonly Dictionary<string, MessageState> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<(string ConversationId, string UserId), string> _roles = [];
    private readonly HashSet<string> _conversations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _applied = new(StringComparer.Ordinal);

    public List<Step> Steps { get; } = [];

    public IEnumerable<MessageState> Touched => _messages.Values.Where(m => m.LastOffset > 0);

    /// <summary>How many revisions each conversation takes.</summary>
    public IReadOnlyDictionary<string, int> RevisionsTaken => _applied;

    public void KnowConversation(string conversationId) => _conversations.Add(conversationId);

    public void KnowMember(string conversationId, string userId, string role) => _roles[(conversationId, userId)] = role;

    public void KnowMessage(Message row, IEnumerable<(string Emoji, string UserId, long Revision)> reactions) =>
        _messages[row.Id] = new MessageState(row, reactions.Select(r => new ReactionRow(r.Emoji, r.UserId) { Revision = r.Revision }).ToList());

    public void Plan(IReadOnlyList<PendingChange> changes)
    {
        foreach (var change in changes)
        {
            try
            {
                Steps.Add(Apply(change));
            }
            catch (ChatException refusal)
            {
                Steps.Add(new Step(change, null, Changed: false, refusal));
            }
        }
    }

    private Step Apply(PendingChange change)
    {
        if (!_roles.TryGetValue((change.ConversationId, change.ActorId), out var role))
        {
            throw _conversations.Contains(change.ConversationId)
                ? ChatException.NotAMember("You are not a member of this conversation.")
                : ChatException.NotFound("No such conversation.");
        }

        if (!_messages.TryGetValue(change.MessageId, out var message) || message.Row.ConversationId != change.ConversationId)
        {
            throw ChatException.NotFound("No such message in this conversation.");
        }

        var row = message.Row;
        var isSender = row.SenderId == change.ActorId;
        switch (change.Kind)
        {
            case ChangeKind.Edit:
                if (!isSender)
                {
                    throw ChatException.Forbidden("Only the sender may edit a message.");
                }

                if (row.DeletedAt is not null)
                {
                    throw ChatException.InvalidArgument("A deleted message cannot be edited.");
                }

                if (limits.EditWindow is { } window && now - row.SentAt > window)
                {
                    throw ChatException.Forbidden($"A message may be edited for {window} after it was sent.");
                }

                if (row.Content == change.Content)
                {
                    return Unchanged(change, message);
                }

                row.Content = change.Content!;
                row.EditedAt = now;
                break;

            case ChangeKind.Delete:
                if (!isSender && role is not (ConversationRoles.Owner or ConversationRoles.Admin))
                {
                    throw ChatException.Forbidden("Only the sender, or an owner or admin of the conversation, may delete a message.");
                }

                if (row.DeletedAt is not null)
                {
                    return Unchanged(change, message);
                }

                row.Content = "";
                row.DeletedAt = now;
                message.ClearReactions();
                break;

            default:
                if (row.DeletedAt is not null)
                {
                    throw ChatException.InvalidArgument("A deleted message cannot be reacted to.");
                }

                if (!React(message, change))
                {
                    return Unchanged(change, message);
                }

                break;
        }

        var offset = _applied[change.ConversationId] = _applied.GetValueOrDefault(change.ConversationId) + 1;
        message.LastOffset = offset;
        message.Actors.Add(change.ActorId);
        return new Step(change, message.Snapshot(), Changed: true, null);
    }

    private bool React(MessageState message, PendingChange change)
    {
        var emoji = change.Emoji!;
        var existing = message.Reactions.FindIndex(r => r.Emoji == emoji && r.UserId == change.ActorId);
        if (change.Kind == ChangeKind.RemoveReaction)
        {
            if (existing < 0)
            {
                return false;
            }

            message.Remove(existing);
            return true;
        }

        if (existing >= 0)
        {
            return false;
        }

        if (message.Reactions.All(r => r.Emoji != emoji) && message.Reactions.Select(r => r.Emoji).Distinct(StringComparer.Ordinal).Count() >= limits.MaxReactionsPerMessage)
        {
            throw ChatException.PayloadTooLarge($"A message has at most {limits.MaxReactionsPerMessage} different reactions.");
        }

        message.Add(new ReactionRow(emoji, change.ActorId) { Offset = _applied.GetValueOrDefault(change.ConversationId) + 1 });
        return true;
    }

    private static Step Unchanged(PendingChange change, MessageState message) => new(change, message.Snapshot(), Changed: false, null);

    /// <summary>One change's outcome: a refusal, or the message's state after it (which took a revision when <see cref="Changed"/>).</summary>
    public sealed record Step(PendingChange Change, MessageSnapshot? State, bool Changed, ChatException? Refusal);
}
