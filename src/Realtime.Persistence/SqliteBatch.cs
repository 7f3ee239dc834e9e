using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Realtime.Persistence;

/// <summary>
/// SQLite's form of the batch statements. SQLite finds a named parameter by a linear search of the
/// statement's parameter names, once when it parses the statement and again for every value bound,
/// so a batch spelled as hundreds of parameters costs time quadratic in its size. Here a batch is one
/// JSON text parameter that the statement expands with <c>json_each</c>: one statement and one
/// parameter whatever the batch size. The values are ids, counts and text, which SQLite stores the
/// same whether they come from a parameter or from JSON; the timestamp stays a parameter, converted by
/// EF Core's own type mapping.
/// </summary>
internal static class SqliteBatch
{
    private static readonly JsonWriterOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static string? _append;

    /// <summary>
    /// One row per conversation joined from the JSON [[id, count], ...]; "Id" is qualified throughout
    /// because json_each has an <c>id</c> column of its own and SQLite names are case-insensitive.
    /// </summary>
    public const string AllocateStatement =
        "UPDATE \"Conversations\" SET \"LastSequence\" = \"Conversations\".\"LastSequence\" + (v.value ->> 1), " +
        "\"LastRevision\" = \"Conversations\".\"LastRevision\" + (v.value ->> 1) " +
        "FROM json_each(@counts) AS v WHERE \"Conversations\".\"Id\" = v.value ->> 0 " +
        "RETURNING \"Conversations\".\"Id\", \"Conversations\".\"LastSequence\", \"Conversations\".\"LastRevision\";";

    /// <summary>The same for a batch of changes, which take revisions only: one row per conversation of [[id, count], ...].</summary>
    public const string AllocateRevisionsStatement =
        "UPDATE \"Conversations\" SET \"LastRevision\" = \"Conversations\".\"LastRevision\" + (v.value ->> 1) " +
        "FROM json_each(@counts) AS v WHERE \"Conversations\".\"Id\" = v.value ->> 0 " +
        "RETURNING \"Conversations\".\"Id\", \"Conversations\".\"LastRevision\";";

    public static string CountsJson(IReadOnlyList<(string ConversationId, int Count)> requests)
    {
        var buffer = new ArrayBufferWriter<byte>(requests.Count * 48);
        using (var writer = new Utf8JsonWriter(buffer, Json))
        {
            writer.WriteStartArray();
            foreach (var (conversationId, count) in requests)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(conversationId);
                writer.WriteNumberValue(count);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Inserts the rows whose sender is a member; rows stamped at one instant share one statement.</summary>
    public static async Task<int> AppendAsync(ChatDbContext db, IReadOnlyList<Message> messages, IProperty sentAt, CancellationToken cancellationToken)
    {
        var statement = _append ??= BuildAppend(db);
        var inserted = 0;
        for (var start = 0; start < messages.Count;)
        {
            var end = start + 1;
            while (end < messages.Count && messages[end].SentAt == messages[start].SentAt)
            {
                end++;
            }

            await using var command = EfCommands.Statement(db, statement);
            var rows = command.CreateParameter();
            rows.ParameterName = "@rows";
            rows.Value = RowsJson(messages, start, end);
            command.Parameters.Add(rows);
            command.Parameters.Add(sentAt.GetRelationalTypeMapping().CreateParameter(command, "@sentAt", messages[start].SentAt, nullable: false));
            inserted += await EfCommands.ExecuteNonQueryAsync(db, command, cancellationToken);
            start = end;
        }

        return inserted;
    }

    private static string RowsJson(IReadOnlyList<Message> messages, int start, int end)
    {
        var buffer = new ArrayBufferWriter<byte>((end - start) * 256);
        using (var writer = new Utf8JsonWriter(buffer, Json))
        {
            writer.WriteStartArray();
            for (var i = start; i < end; i++)
            {
                var message = messages[i];
                writer.WriteStartArray();
                writer.WriteStringValue(message.Id);
                writer.WriteStringValue(message.ConversationId);
                writer.WriteNumberValue(message.Sequence);
                writer.WriteStringValue(message.SenderId);
                writer.WriteStringValue(message.ClientMessageId);
                writer.WriteStringValue(message.Content);
                writer.WriteNumberValue(message.Revision);
                writer.WriteNumberValue(message.CreatedRevision);
                if (message.ReplyToMessageId is { } replyTo)
                {
                    writer.WriteStringValue(replyTo);
                }
                else
                {
                    writer.WriteNullValue();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string BuildAppend(ChatDbContext db)
    {
        MessageAppender.RequireRawColumns(db, "JSON");

        // Element i of each row array is column i of MessageAppender.ColumnOrder; SentAt comes last, from its parameter.
        var values = string.Join(", ", Enumerable.Range(0, MessageAppender.ColumnOrder.Length - 1).Select(i => $"v.value ->> {i}"));
        return $"INSERT INTO {MessageAppender.MessagesTable(db)} ({MessageAppender.TargetColumns(db)}) " +
            $"SELECT {values}, @sentAt FROM json_each(@rows) AS v " +
            $"WHERE {MessageAppender.MembersProbe(db, "v.value ->> 1", "v.value ->> 3")};";
    }
}
