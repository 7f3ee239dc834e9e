using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Realtime.Persistence;

/// <summary>
/// Allocates message sequences, and their revisions (a new message is a change to the conversation's
/// log), by bumping the conversations' counters inside the caller's transaction, for every
/// conversation of a batch in one UPDATE. The row locks taken by the UPDATE
/// serialise concurrent writers (in any process), and a rolled-back transaction gives its numbers
/// back, so sequences stay gap-free. (PostgreSQL allocates inside its batch statement instead; see
/// <see cref="PostgresBatch"/>.)
/// </summary>
public static class SequenceAllocator
{
    private static readonly ConcurrentDictionary<(DatabaseProvider, int), string> Statements = new();

    /// <summary>The statement for <paramref name="conversations"/> conversations: @c<i>i</i> is an id, @n<i>i</i> how many sequences it takes.</summary>
    public static string StatementFor(DatabaseProvider provider, int conversations) =>
        Statements.GetOrAdd((provider, conversations), key => Build(key.Item1, key.Item2));

    /// <summary>
    /// Reserves sequences and as many revisions for each conversation and returns the last one of each;
    /// a conversation that does not exist is missing from the result.
    /// </summary>
    public static async Task<Dictionary<string, (long Sequence, long Revision)>> AllocateAsync(ChatDbContext db, IReadOnlyList<(string ConversationId, int Count)> requests, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(requests.Count);
        _ = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Sequences are allocated only inside the transaction that inserts the messages.");

        await using var command = EfCommands.Statement(db, "");
        foreach (var request in requests)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(request.Count, 1);
        }

        if (db.Provider == DatabaseProvider.Sqlite)
        {
            command.CommandText = SqliteBatch.AllocateStatement;
            AddParameter(command, "@counts", SqliteBatch.CountsJson(requests));
        }
        else
        {
            command.CommandText = StatementFor(db.Provider, requests.Count);
            for (var i = 0; i < requests.Count; i++)
            {
                AddParameter(command, $"@c{i}", requests[i].ConversationId);
                AddParameter(command, $"@n{i}", requests[i].Count);
            }
        }

        var last = new Dictionary<string, (long, long)>(requests.Count, StringComparer.Ordinal);
        await using var reader = await EfCommands.ExecuteReaderAsync(db, command, cancellationToken);
        var rows = reader.DbDataReader;
        while (await rows.ReadAsync(cancellationToken))
        {
            last[rows.GetString(0)] = (Convert.ToInt64(rows.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(rows.GetValue(2), CultureInfo.InvariantCulture));
        }

        return last;
    }

    private static string Build(DatabaseProvider provider, int conversations)
    {
        var (open, close) = provider == DatabaseProvider.SqlServer ? ("[", "]") : ("\"", "\"");
        string Name(string identifier) => open + identifier + close;
        var ids = string.Join(", ", Enumerable.Range(0, conversations).Select(i => $"@c{i}"));
        var counts = new StringBuilder();
        if (conversations == 1)
        {
            counts.Append("@n0");
        }
        else
        {
            counts.Append("CASE ").Append(Name("Id"));
            for (var i = 0; i < conversations; i++)
            {
                counts.Append(CultureInfo.InvariantCulture, $" WHEN @c{i} THEN @n{i}");
            }

            counts.Append(" END");
        }

        var text = new StringBuilder();
        text.Append("UPDATE ").Append(Name("Conversations"))
            .Append(" SET ").Append(Name("LastSequence")).Append(" = ").Append(Name("LastSequence")).Append(" + ").Append(counts)
            .Append(", ").Append(Name("LastRevision")).Append(" = ").Append(Name("LastRevision")).Append(" + ").Append(counts);

        if (provider == DatabaseProvider.SqlServer)
        {
            text.Append(" OUTPUT inserted.[Id], inserted.[LastSequence], inserted.[LastRevision]");
        }

        text.Append(" WHERE ").Append(Name("Id")).Append(conversations == 1 ? " = @c0" : $" IN ({ids})");

        if (provider != DatabaseProvider.SqlServer)
        {
            text.Append(" RETURNING ").Append(Name("Id")).Append(", ").Append(Name("LastSequence")).Append(", ").Append(Name("LastRevision"));
        }

        return text.Append(';').ToString();
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
