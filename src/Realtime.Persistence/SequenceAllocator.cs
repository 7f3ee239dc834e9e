using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Realtime.Persistence;

/// <summary>
/// Allocates message sequences by bumping the conversation row's counter inside the caller's
/// transaction. The row lock taken by the UPDATE serialises concurrent writers (in any process),
/// and a rolled-back transaction gives its numbers back, so sequences stay gap-free.
/// </summary>
public static class SequenceAllocator
{
    public static string StatementFor(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.SqlServer =>
            "UPDATE [Conversations] SET [LastSequence] = [LastSequence] + @count OUTPUT inserted.[LastSequence] WHERE [Id] = @conversationId;",
        _ =>
            "UPDATE \"Conversations\" SET \"LastSequence\" = \"LastSequence\" + @count WHERE \"Id\" = @conversationId RETURNING \"LastSequence\";",
    };

    /// <summary>Reserves <paramref name="count"/> sequences and returns the last one, or null when the conversation does not exist.</summary>
    public static async Task<long?> AllocateAsync(ChatDbContext db, string conversationId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var transaction = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Sequences are allocated only inside the transaction that inserts the messages.");

        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = StatementFor(ChatDatabase.ProviderOf(db));
        AddParameter(command, "@count", count);
        AddParameter(command, "@conversationId", conversationId);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? null : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
