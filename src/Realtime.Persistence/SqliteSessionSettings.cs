using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Realtime.Persistence;

/// <summary>
/// Per-connection SQLite settings. A batch's message INSERTs write pages the same transaction already
/// wrote, so SQLite keeps a statement journal for each of them; by default that is a new file under
/// /var/tmp, created, written and deleted for every statement. In memory it costs a few pages of RAM.
/// </summary>
internal sealed class SqliteSessionSettings : DbConnectionInterceptor
{
    public static readonly SqliteSessionSettings Instance = new();

    public const string Statements = "PRAGMA temp_store = MEMORY;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    // SQLite runs a PRAGMA synchronously either way; there is nothing to await.
    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Statements;
        command.ExecuteNonQuery();
    }
}
