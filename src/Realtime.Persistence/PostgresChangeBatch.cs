using System.Data.Common;

namespace Realtime.Persistence;

/// <summary>
/// PostgreSQL's form of a batch of changes (see <see cref="ChangeBatch"/>): four statements sent together in one
/// round trip, each reading its rows from one array per column with <c>unnest</c>, like the send batch
/// (<see cref="PostgresBatch"/>); they run in order, so the later ones read the counters the first one moved.
/// The statements are separate rather than one statement of data-modifying CTEs, whose order PostgreSQL does
/// not fix: a reaction removed and added again in one batch must be deleted before it is inserted.
/// </summary>
internal static class PostgresChangeBatch
{
    private const string Statement =
        """
        UPDATE "Conversations" AS c SET "LastRevision" = c."LastRevision" + t.taken
        FROM unnest(@conversations, @taken) AS t(id, taken) WHERE c."Id" = t.id
        RETURNING c."Id", c."LastRevision";
        UPDATE "Messages" AS m SET "Content" = r.content,
            "EditedAt" = CASE WHEN r.edited THEN @now ELSE m."EditedAt" END,
            "DeletedAt" = CASE WHEN r.deleted THEN @now ELSE m."DeletedAt" END,
            "Revision" = c."LastRevision" - r.taken + r.position
        FROM unnest(@ids, @contents, @edited, @deleted, @messageTaken, @positions, @readRevisions)
            AS r(id, content, edited, deleted, taken, position, read_revision),
            "Conversations" AS c
        WHERE m."Id" = r.id AND m."Revision" = r.read_revision AND c."Id" = m."ConversationId"
            AND NOT EXISTS (SELECT 1 FROM unnest(@actorMessages, @actors) AS a(message_id, user_id)
                WHERE a.message_id = m."Id" AND NOT EXISTS (SELECT 1 FROM "ConversationMembers" AS x
                    WHERE x."ConversationId" = m."ConversationId" AND x."UserId" = a.user_id))
        RETURNING m."Id";
        DELETE FROM "Reactions" WHERE "MessageId" = ANY(@cleared)
            OR ("MessageId", "UserId", "Emoji") IN (SELECT * FROM unnest(@removedMessages, @removedUsers, @removedEmoji));
        INSERT INTO "Reactions" ("MessageId", "UserId", "Emoji", "Revision")
        SELECT a.message_id, a.user_id, a.emoji, c."LastRevision" - a.taken + a.position
        FROM unnest(@addedMessages, @addedConversations, @addedUsers, @addedEmoji, @addedTaken, @addedPositions)
            AS a(message_id, conversation_id, user_id, emoji, taken, position)
        JOIN "Conversations" AS c ON c."Id" = a.conversation_id;
        """;

    public static DbCommand Command(ChatDbContext db, ChangeWrite write)
    {
        var command = ChangeBatch.Command(db, Statement);
        ChangeBatch.Add(command, "@conversations", write.Taken.Select(t => t.ConversationId).ToArray());
        ChangeBatch.Add(command, "@taken", write.Taken.Select(t => (long)t.Count).ToArray());

        var messages = write.Messages;
        ChangeBatch.Add(command, "@ids", messages.Select(m => m.MessageId).ToArray());
        ChangeBatch.Add(command, "@contents", messages.Select(m => m.Content).ToArray());
        ChangeBatch.Add(command, "@edited", messages.Select(m => m.EditedAt == write.Now).ToArray());
        ChangeBatch.Add(command, "@deleted", messages.Select(m => m.DeletedAt == write.Now).ToArray());
        ChangeBatch.Add(command, "@messageTaken", messages.Select(m => (long)write.TakenBy(m.ConversationId)).ToArray());
        ChangeBatch.Add(command, "@positions", messages.Select(m => (long)m.Offset).ToArray());
        ChangeBatch.Add(command, "@readRevisions", messages.Select(m => m.ReadRevision).ToArray());
        var actors = messages.SelectMany(m => m.Actors.Select(a => (m.MessageId, Actor: a))).ToList();
        ChangeBatch.Add(command, "@actorMessages", actors.Select(a => a.MessageId).ToArray());
        ChangeBatch.Add(command, "@actors", actors.Select(a => a.Actor).ToArray());

        ChangeBatch.Add(command, "@cleared", write.Cleared.ToArray());
        ChangeBatch.Add(command, "@removedMessages", write.Removed.Select(r => r.MessageId).ToArray());
        ChangeBatch.Add(command, "@removedUsers", write.Removed.Select(r => r.UserId).ToArray());
        ChangeBatch.Add(command, "@removedEmoji", write.Removed.Select(r => r.Emoji).ToArray());

        var added = write.Added;
        ChangeBatch.Add(command, "@addedMessages", added.Select(r => r.MessageId).ToArray());
        ChangeBatch.Add(command, "@addedConversations", added.Select(r => r.ConversationId).ToArray());
        ChangeBatch.Add(command, "@addedUsers", added.Select(r => r.UserId).ToArray());
        ChangeBatch.Add(command, "@addedEmoji", added.Select(r => r.Emoji).ToArray());
        ChangeBatch.Add(command, "@addedTaken", added.Select(r => (long)write.TakenBy(r.ConversationId)).ToArray());
        ChangeBatch.Add(command, "@addedPositions", added.Select(r => (long)r.Offset).ToArray());
        ChangeBatch.AddNow(db, command, write.Now);
        return command;
    }
}
