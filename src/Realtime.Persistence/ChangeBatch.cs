using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Realtime.Persistence;

/// <summary>A touched message's state after its batch, written only if its revision is still <see cref="ReadRevision"/> and every actor still a member.</summary>
public sealed record MessageRewrite(string MessageId, string ConversationId, long ReadRevision, string Content, DateTime? EditedAt, DateTime? DeletedAt, int Offset, IReadOnlyCollection<string> Actors);

/// <summary>A reaction added by the batch; its revision is its conversation's base plus <see cref="Offset"/>.</summary>
public readonly record struct ReactionAdd(string MessageId, string ConversationId, string UserId, string Emoji, int Offset);

public readonly record struct ReactionKey(string MessageId, string UserId, string Emoji);

/// <summary>
/// What a batch of changes writes, worked out in memory beforehand: how many revisions each conversation takes,
/// the final state of each touched message, the reactions removed (all of them for <see cref="Cleared"/>, the
/// messages deleted) and added. Every message written at <see cref="Now"/> has its edit or delete stamped with it.
/// </summary>
public sealed record ChangeWrite(
    DateTime Now,
    IReadOnlyList<(string ConversationId, int Count)> Taken,
    IReadOnlyList<MessageRewrite> Messages,
    IReadOnlyList<ReactionKey> Removed,
    IReadOnlyList<string> Cleared,
    IReadOnlyList<ReactionAdd> Added)
{
    public int TakenBy(string conversationId) => Taken.First(t => t.ConversationId == conversationId).Count;
}

/// <summary>
/// Writes a batch of message changes inside the caller's transaction. On SQLite and PostgreSQL it is one
/// command: the revision allocation, the message updates, the reaction deletes and inserts, each one
/// statement for the whole batch whatever its size (SQLite's JSON, PostgreSQL's arrays), run in that order
/// so the later ones read the bases the first allocated. SQL Server takes the generic path, a statement per
/// conversation and per message through EF Core.
/// </summary>
public static class ChangeBatch
{
    /// <summary>
    /// Locks the conversations' counter rows, in one order for every writer, before the batch reads what it will
    /// change. SQLite needs nothing: its transactions begin IMMEDIATE, holding the database's write lock.
    /// </summary>
    public static async Task LockAsync(ChatDbContext db, IReadOnlyList<string> conversationIds)
    {
        switch (db.Provider)
        {
            case DatabaseProvider.Sqlite:
                return;
            case DatabaseProvider.PostgreSql:
                await using (var command = Command(db, """SELECT NULL FROM "Conversations" WHERE "Id" = ANY(@ids) ORDER BY "Id" FOR UPDATE;"""))
                {
                    Add(command, "@ids", conversationIds.ToArray());
                    await EfCommands.ExecuteNonQueryAsync(db, command, CancellationToken.None);
                }

                return;
            default:
                foreach (var conversationId in conversationIds)
                {
                    await db.Conversations.Where(c => c.Id == conversationId)
                        .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastRevision, c => c.LastRevision));
                }

                return;
        }
    }

    /// <summary>Writes the batch; returns each conversation's revision before it, or null when a message or a membership changed since the read.</summary>
    public static async Task<Dictionary<string, long>?> WriteAsync(ChatDbContext db, ChangeWrite write)
    {
        if (db.Provider == DatabaseProvider.SqlServer)
        {
            return await GenericChangeBatch.WriteAsync(db, write);
        }

        await using var command = db.Provider == DatabaseProvider.Sqlite ? SqliteChangeBatch.Command(db, write) : PostgresChangeBatch.Command(db, write);
        var bases = new Dictionary<string, long>(write.Taken.Count, StringComparer.Ordinal);
        await using var relational = await EfCommands.ExecuteReaderAsync(db, command, CancellationToken.None);
        var reader = relational.DbDataReader;
        while (await reader.ReadAsync())
        {
            var conversationId = reader.GetString(0);
            bases[conversationId] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture) - write.TakenBy(conversationId);
        }

        var written = 0;
        if (await reader.NextResultAsync())
        {
            while (await reader.ReadAsync())
            {
                written++;
            }
        }

        if (bases.Count != write.Taken.Count || written != write.Messages.Count)
        {
            return null;
        }

        // The reaction statements run as the reader moves past them; their errors surface here.
        while (await reader.NextResultAsync())
        {
        }

        return bases;
    }

    internal static DbCommand Command(ChatDbContext db, string text)
    {
        _ = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Changes are written only inside the transaction that read them.");
        return EfCommands.Statement(db, text);
    }

    internal static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>The batch's timestamp, converted by EF Core's own mapping of the column, as EF would write it.</summary>
    internal static void AddNow(ChatDbContext db, DbCommand command, DateTime now) =>
        command.Parameters.Add(db.Model.FindEntityType(typeof(Message))!.FindProperty(nameof(Message.EditedAt))!
            .GetRelationalTypeMapping().CreateParameter(command, "@now", now, nullable: false));
}
