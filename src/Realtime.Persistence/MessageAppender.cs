using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Realtime.Persistence;

/// <summary>
/// The hot write path: a batch of messages in one multi-row INSERT, each row written only if its
/// sender is a member of its conversation. The membership check is an index probe inside the same
/// statement and transaction, so it is never stale (a cache would need cross-node invalidation to
/// be as right) and costs no extra round trip. Table, column names and parameter conversions come
/// from the EF Core model, so the rows are exactly what <c>SaveChanges</c> would write.
/// </summary>
public static class MessageAppender
{
    /// <summary>Rows per statement on the servers: 200 rows of 10 parameters stay under SQL Server's 2,100-parameter limit.</summary>
    public const int RowsPerStatement = 200;

    private static readonly ConcurrentDictionary<(DatabaseProvider, int), string> Statements = new();

    /// <summary>Inserts the rows whose sender is a member; returns how many were inserted.</summary>
    public static async Task<int> AppendAsync(ChatDbContext db, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        _ = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Messages are appended only inside the transaction that allocates their sequences.");
        var provider = db.Provider;
        if (provider == DatabaseProvider.Sqlite)
        {
            return await SqliteBatch.AppendAsync(db, messages, Columns(db).SentAt, cancellationToken);
        }

        var columns = Columns(db);
        var inserted = 0;
        for (var start = 0; start < messages.Count; start += RowsPerStatement)
        {
            var rows = Math.Min(RowsPerStatement, messages.Count - start);
            await using var command = EfCommands.Statement(db, StatementFor(db, rows));
            for (var row = 0; row < rows; row++)
            {
                var message = messages[start + row];
                AddParameter(command, columns.Id, row, 0, message.Id);
                AddParameter(command, columns.ConversationId, row, 1, message.ConversationId);
                AddParameter(command, columns.Sequence, row, 2, message.Sequence);
                AddParameter(command, columns.SenderId, row, 3, message.SenderId);
                AddParameter(command, columns.ClientMessageId, row, 4, message.ClientMessageId);
                AddParameter(command, columns.Content, row, 5, message.Content);
                AddParameter(command, columns.Revision, row, 6, message.Revision);
                AddParameter(command, columns.CreatedRevision, row, 7, message.CreatedRevision);
                AddParameter(command, columns.ReplyToMessageId, row, 8, message.ReplyToMessageId);
                AddParameter(command, columns.SentAt, row, 9, message.SentAt);
            }

            inserted += await EfCommands.ExecuteNonQueryAsync(db, command, cancellationToken);
        }

        return inserted;
    }

    private static void AddParameter(DbCommand command, IProperty property, int row, int column, object? value) =>
        command.Parameters.Add(property.GetRelationalTypeMapping().CreateParameter(command, $"@p{row}_{column}", value, nullable: property.IsNullable));

    internal static MessageColumns Columns(ChatDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(Message))!;
        return new MessageColumns(
            entity.FindProperty(nameof(Message.Id))!,
            entity.FindProperty(nameof(Message.ConversationId))!,
            entity.FindProperty(nameof(Message.Sequence))!,
            entity.FindProperty(nameof(Message.SenderId))!,
            entity.FindProperty(nameof(Message.ClientMessageId))!,
            entity.FindProperty(nameof(Message.Content))!,
            entity.FindProperty(nameof(Message.Revision))!,
            entity.FindProperty(nameof(Message.CreatedRevision))!,
            entity.FindProperty(nameof(Message.ReplyToMessageId))!,
            entity.FindProperty(nameof(Message.SentAt))!);
    }

    /// <summary>The statement for <paramref name="rows"/> rows: @p<i>row</i>_<i>column</i> in the order of <see cref="Message"/>'s columns.</summary>
    public static string StatementFor(ChatDbContext db, int rows) =>
        Statements.GetOrAdd((db.Provider, rows), key => Build(db, key.Item2));

    /// <summary>The properties of <see cref="Message"/> in the order every statement lists their columns.</summary>
    internal static readonly string[] ColumnOrder = [nameof(Message.Id), nameof(Message.ConversationId), nameof(Message.Sequence), nameof(Message.SenderId), nameof(Message.ClientMessageId), nameof(Message.Content), nameof(Message.Revision), nameof(Message.CreatedRevision), nameof(Message.ReplyToMessageId), nameof(Message.SentAt)];

    /// <summary>
    /// For the batch forms that carry the values raw (SQLite's JSON, PostgreSQL's arrays) rather than as
    /// EF-converted parameters: a converter added to one of these columns later must not be skipped silently.
    /// </summary>
    internal static void RequireRawColumns(ChatDbContext db, string carrier)
    {
        var messages = db.Model.FindEntityType(typeof(Message))!;
        foreach (var name in ColumnOrder[..^1])
        {
            if (messages.FindProperty(name)!.GetTypeMapping().Converter is not null)
            {
                throw new InvalidOperationException($"Message.{name} has a value converter; the batch insert writes it from {carrier} and would skip it.");
            }
        }
    }

    internal static string MessagesTable(ChatDbContext db)
    {
        var messages = db.Model.FindEntityType(typeof(Message))!;
        return db.GetService<ISqlGenerationHelper>().DelimitIdentifier(messages.GetTableName()!, messages.GetSchema());
    }

    internal static string TargetColumns(ChatDbContext db)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var messages = db.Model.FindEntityType(typeof(Message))!;
        var table = StoreObjectIdentifier.Table(messages.GetTableName()!, messages.GetSchema());
        return string.Join(", ", ColumnOrder.Select(p => sql.DelimitIdentifier(messages.FindProperty(p)!.GetColumnName(table)!)));
    }

    internal static string MembersProbe(ChatDbContext db, string conversationId, string senderId)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var members = db.Model.FindEntityType(typeof(ConversationMember))!;
        var table = StoreObjectIdentifier.Table(members.GetTableName()!, members.GetSchema());
        string Column(string property) => sql.DelimitIdentifier(members.FindProperty(property)!.GetColumnName(table)!);
        return $"EXISTS (SELECT 1 FROM {sql.DelimitIdentifier(table.Name, table.Schema)} AS m WHERE m.{Column(nameof(ConversationMember.ConversationId))} = {conversationId} AND m.{Column(nameof(ConversationMember.UserId))} = {senderId})";
    }

    private static string Build(ChatDbContext db, int rows)
    {
        var valueColumns = ColumnOrder.Select((_, i) => $"c{i}").ToArray();
        var alias = $"v({string.Join(", ", valueColumns)})";

        var text = new StringBuilder()
            .Append("INSERT INTO ").Append(MessagesTable(db))
            .Append(" (").Append(TargetColumns(db)).Append(") SELECT ")
            .Append(string.Join(", ", valueColumns.Select(c => "v." + c)))
            .Append(" FROM (VALUES ");
        for (var row = 0; row < rows; row++)
        {
            text.Append(row == 0 ? "(" : ", (")
                .Append(string.Join(", ", ColumnOrder.Select((_, column) => $"@p{row}_{column}")))
                .Append(')');
        }

        return text.Append(") AS ").Append(alias)
            .Append(" WHERE ").Append(MembersProbe(db, "v." + valueColumns[1], "v." + valueColumns[3])).Append(';')
            .ToString();
    }

    internal sealed record MessageColumns(IProperty Id, IProperty ConversationId, IProperty Sequence, IProperty SenderId, IProperty ClientMessageId, IProperty Content, IProperty Revision, IProperty CreatedRevision, IProperty ReplyToMessageId, IProperty SentAt);
}
