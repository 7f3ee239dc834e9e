using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Realtime.Persistence;

/// <summary>
/// Runs the batch statements written here through EF Core's own command pipeline, the one its queries and
/// <c>SaveChanges</c> take: the context's connection, transaction and timeout, its interceptors, its logging and
/// its diagnostics, so a send's trace shows its batch as an EF Core command like any other. A statement is
/// built on a <see cref="DbCommand"/> of the context's connection, because EF Core's type mappings create their
/// parameters on one; EF Core then runs a command of its own with that text and those parameters.
/// </summary>
internal static class EfCommands
{
    private static readonly Dictionary<string, object?> NoValues = [];

    /// <summary>A command that only holds a statement's text and parameters until it is run.</summary>
    public static DbCommand Statement(ChatDbContext db, string text)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = text;
        return command;
    }

    public static Task<int> ExecuteNonQueryAsync(ChatDbContext db, DbCommand statement, CancellationToken cancellationToken) =>
        Build(db, statement).ExecuteNonQueryAsync(Parameters(db), cancellationToken);

    /// <summary>Dispose the reader to end the command (and close the connection if the command opened it).</summary>
    public static Task<RelationalDataReader> ExecuteReaderAsync(ChatDbContext db, DbCommand statement, CancellationToken cancellationToken) =>
        Build(db, statement).ExecuteReaderAsync(Parameters(db), cancellationToken);

    private static IRelationalCommand Build(ChatDbContext db, DbCommand statement)
    {
        var builder = db.GetService<IRelationalCommandBuilderFactory>().Create().Append(statement.CommandText);
        var parameters = statement.Parameters.Cast<DbParameter>().ToArray();
        statement.Parameters.Clear(); // a parameter belongs to one command at a time
        foreach (var parameter in parameters)
        {
            builder.AddRawParameter(parameter.ParameterName, parameter);
        }

        return builder.Build();
    }

    private static RelationalCommandParameterObject Parameters(ChatDbContext db) => new(
        db.GetService<IRelationalConnection>(),
        NoValues,
        readerColumns: null,
        db,
        db.GetService<IRelationalCommandDiagnosticsLogger>(),
        CommandSource.ExecuteSqlRaw);
}
