using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Realtime.Persistence;

/// <summary>
/// Prepares the batch statements that are worth it (<see cref="Add"/>) as EF Core is about to run them. Npgsql
/// keeps a prepared statement with its physical connection, so each is parsed and planned once per pooled
/// connection; for a small batch planning costs the server more than running the statement.
/// </summary>
internal sealed class PreparedStatements : DbCommandInterceptor
{
    public static readonly PreparedStatements Instance = new();

    private static readonly ConcurrentDictionary<string, bool> Texts = new(StringComparer.Ordinal);

    public static string Add(string text)
    {
        Texts.TryAdd(text, true);
        return text;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (eventData.CommandSource == CommandSource.ExecuteSqlRaw && Texts.ContainsKey(command.CommandText))
        {
            await command.PrepareAsync(cancellationToken);
        }

        return result;
    }
}
