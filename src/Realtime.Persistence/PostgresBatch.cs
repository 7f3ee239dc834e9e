using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Realtime.Persistence;

/// <summary>
/// PostgreSQL's form of a batch append: one round trip, with no transaction held open by the client.
/// The conversations' counter rows are the lock every node's writer queues on, and a lock is held
/// until its transaction commits. A transaction the node drives (BEGIN, allocate, insert, COMMIT) would
/// hold it across three round trips and the node's own scheduling between them, which under a CPU
/// quota is long; here the lock, the allocation and the insert are two statements sent together with
/// one Sync, so the server runs them as one implicit transaction and commits as soon as they finish.
/// Because the client sees nothing before the commit, the statement itself decides who may write:
/// sequences are allocated only for sends whose sender is a member, so skipping the others leaves no gap.
/// The batch travels as one array per column: one statement text whatever the batch size, prepared
/// once per connection.
/// </summary>
internal static class PostgresBatch
{
    private static string? _statement;

    public static async Task<List<Message>> AppendAsync(ChatDbContext db, IReadOnlyList<NewMessage> sends, DateTime sentAt, CancellationToken cancellationToken)
    {
        var columns = MessageAppender.Columns(db);
        await using var command = EfCommands.Statement(db, _statement ??= PreparedStatements.Add(Build(db)));
        AddArray(command, "@ids", sends, s => s.Id);
        AddArray(command, "@conversations", sends, s => s.ConversationId);
        AddArray(command, "@senders", sends, s => s.SenderId);
        AddArray(command, "@clientMessageIds", sends, s => s.ClientMessageId);
        AddArray(command, "@contents", sends, s => s.Content);
        AddArray(command, "@replies", sends, s => s.ReplyToMessageId);
        command.Parameters.Add(columns.SentAt.GetRelationalTypeMapping().CreateParameter(command, "@sentAt", sentAt, nullable: false));

        var positions = new Dictionary<string, (long Sequence, long Revision)>(sends.Count, StringComparer.Ordinal);
        await using (var reader = await EfCommands.ExecuteReaderAsync(db, command, cancellationToken))
        {
            var rows = reader.DbDataReader;
            await rows.NextResultAsync(cancellationToken); // past the locking SELECT
            while (await rows.ReadAsync(cancellationToken))
            {
                positions[rows.GetString(0)] = (rows.GetInt64(1), rows.GetInt64(2));
            }
        }

        var stored = new List<Message>(positions.Count);
        foreach (var send in sends)
        {
            if (positions.TryGetValue(send.Id, out var position))
            {
                stored.Add(new Message
                {
                    Revision = position.Revision,
                    CreatedRevision = position.Revision,
                    ReplyToMessageId = send.ReplyToMessageId,
                    Id = send.Id,
                    ConversationId = send.ConversationId,
                    Sequence = position.Sequence,
                    SenderId = send.SenderId,
                    ClientMessageId = send.ClientMessageId,
                    Content = send.Content,
                    SentAt = sentAt,
                });
            }
        }

        return stored;
    }

    private static void AddArray(DbCommand command, string name, IReadOnlyList<NewMessage> sends, Func<NewMessage, string?> column)
    {
        var values = new string?[sends.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = column(sends[i]);
        }

        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = values;
        command.Parameters.Add(parameter);
    }

    private static string Build(ChatDbContext db)
    {
        MessageAppender.RequireRawColumns(db, "an array");

        // The first statement locks the counters in key order before the second touches them: an UPDATE
        // locks rows in whatever order its plan meets them, and two nodes' batches over the same
        // conversations could then each hold one row the other waits for.
        return
            """SELECT NULL FROM "Conversations" WHERE "Id" = ANY(@conversations) ORDER BY "Id" FOR UPDATE; """ +
            "WITH sends AS (" +
            "SELECT s.*, row_number() OVER (PARTITION BY s.conversation_id ORDER BY s.position) AS offset_in_conversation " +
            "FROM unnest(@ids, @conversations, @senders, @clientMessageIds, @contents, @replies) WITH ORDINALITY AS s(id, conversation_id, sender_id, client_message_id, content, reply_to, position) " +
            $"WHERE {MessageAppender.MembersProbe(db, "s.conversation_id", "s.sender_id")}), " +
            "taken AS (SELECT conversation_id, count(*) AS taken FROM sends GROUP BY conversation_id), " +
            """allocated AS (UPDATE "Conversations" AS c SET "LastSequence" = c."LastSequence" + t.taken, "LastRevision" = c."LastRevision" + t.taken FROM taken AS t WHERE c."Id" = t.conversation_id """ +
            """RETURNING c."Id" AS conversation_id, c."LastSequence" - t.taken AS previous, c."LastRevision" - t.taken AS previous_revision) """ +
            $"INSERT INTO {MessageAppender.MessagesTable(db)} ({MessageAppender.TargetColumns(db)}) " +
            "SELECT s.id, s.conversation_id, a.previous + s.offset_in_conversation, s.sender_id, s.client_message_id, s.content, " +
            "a.previous_revision + s.offset_in_conversation, a.previous_revision + s.offset_in_conversation, s.reply_to, @sentAt " +
            "FROM sends AS s JOIN allocated AS a ON a.conversation_id = s.conversation_id " +
            """RETURNING "Id", "Sequence", "Revision";""";
    }
}
