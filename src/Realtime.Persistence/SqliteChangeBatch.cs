using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Realtime.Persistence;

/// <summary>
/// SQLite's form of a batch of changes (see <see cref="ChangeBatch"/>): four statements in one command, each
/// reading its rows from one JSON parameter with <c>json_each</c>, like the send batch (<see cref="SqliteBatch"/>).
/// A message's and a reaction's revision is its conversation's counter after the allocation, less what the
/// batch took, plus its place in the batch. Names are qualified throughout: json_each has an <c>id</c> column
/// of its own and SQLite names are case-insensitive.
/// </summary>
internal static class SqliteChangeBatch
{
    private static readonly JsonWriterOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string Statement =
        SqliteBatch.AllocateRevisionsStatement +
        // [id, content, edited now, deleted now, conversation's taken, offset, read revision]
        "UPDATE \"Messages\" SET \"Content\" = v.value ->> 1, " +
        "\"EditedAt\" = CASE WHEN v.value ->> 2 THEN @now ELSE \"Messages\".\"EditedAt\" END, " +
        "\"DeletedAt\" = CASE WHEN v.value ->> 3 THEN @now ELSE \"Messages\".\"DeletedAt\" END, " +
        "\"Revision\" = (SELECT c.\"LastRevision\" FROM \"Conversations\" AS c WHERE c.\"Id\" = \"Messages\".\"ConversationId\") - (v.value ->> 4) + (v.value ->> 5) " +
        "FROM json_each(@messages) AS v WHERE \"Messages\".\"Id\" = v.value ->> 0 AND \"Messages\".\"Revision\" = v.value ->> 6 " +
        // [message id, actor]: written only if every actor of the message is still a member.
        "AND NOT EXISTS (SELECT 1 FROM json_each(@actors) AS a WHERE a.value ->> 0 = \"Messages\".\"Id\" AND NOT EXISTS " +
        "(SELECT 1 FROM \"ConversationMembers\" AS x WHERE x.\"ConversationId\" = \"Messages\".\"ConversationId\" AND x.\"UserId\" = a.value ->> 1)) " +
        "RETURNING \"Messages\".\"Id\";" +
        "DELETE FROM \"Reactions\" WHERE \"Reactions\".\"MessageId\" IN (SELECT c.value FROM json_each(@cleared) AS c) " +
        "OR (\"Reactions\".\"MessageId\", \"Reactions\".\"UserId\", \"Reactions\".\"Emoji\") IN (SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2 FROM json_each(@removed) AS r);" +
        // [message id, conversation id, user, emoji, conversation's taken, offset]
        "INSERT INTO \"Reactions\" (\"MessageId\", \"UserId\", \"Emoji\", \"Revision\") " +
        "SELECT v.value ->> 0, v.value ->> 2, v.value ->> 3, (SELECT c.\"LastRevision\" FROM \"Conversations\" AS c WHERE c.\"Id\" = v.value ->> 1) - (v.value ->> 4) + (v.value ->> 5) " +
        "FROM json_each(@added) AS v;";

    public static DbCommand Command(ChatDbContext db, ChangeWrite write)
    {
        var command = ChangeBatch.Command(db, Statement);
        ChangeBatch.Add(command, "@counts", SqliteBatch.CountsJson(write.Taken));
        ChangeBatch.Add(command, "@messages", ToJson(write.Messages, (writer, m) =>
        {
            writer.WriteStringValue(m.MessageId);
            writer.WriteStringValue(m.Content);
            writer.WriteNumberValue(m.EditedAt == write.Now ? 1 : 0);
            writer.WriteNumberValue(m.DeletedAt == write.Now ? 1 : 0);
            writer.WriteNumberValue(write.TakenBy(m.ConversationId));
            writer.WriteNumberValue(m.Offset);
            writer.WriteNumberValue(m.ReadRevision);
        }));
        ChangeBatch.Add(command, "@actors", ToJson(write.Messages.SelectMany(m => m.Actors.Select(a => (m.MessageId, Actor: a))).ToList(), (writer, a) =>
        {
            writer.WriteStringValue(a.MessageId);
            writer.WriteStringValue(a.Actor);
        }));
        ChangeBatch.Add(command, "@cleared", JsonSerializer.Serialize(write.Cleared));
        ChangeBatch.Add(command, "@removed", ToJson(write.Removed, (writer, r) =>
        {
            writer.WriteStringValue(r.MessageId);
            writer.WriteStringValue(r.UserId);
            writer.WriteStringValue(r.Emoji);
        }));
        ChangeBatch.Add(command, "@added", ToJson(write.Added, (writer, r) =>
        {
            writer.WriteStringValue(r.MessageId);
            writer.WriteStringValue(r.ConversationId);
            writer.WriteStringValue(r.UserId);
            writer.WriteStringValue(r.Emoji);
            writer.WriteNumberValue(write.TakenBy(r.ConversationId));
            writer.WriteNumberValue(r.Offset);
        }));
        ChangeBatch.AddNow(db, command, write.Now);
        return command;
    }

    /// <summary>A JSON array of one array per row.</summary>
    private static string ToJson<T>(IReadOnlyList<T> rows, Action<Utf8JsonWriter, T> row)
    {
        var buffer = new ArrayBufferWriter<byte>(16 + rows.Count * 96);
        using (var writer = new Utf8JsonWriter(buffer, Json))
        {
            writer.WriteStartArray();
            foreach (var item in rows)
            {
                writer.WriteStartArray();
                row(writer, item);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
