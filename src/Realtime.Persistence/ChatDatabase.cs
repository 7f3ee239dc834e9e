using Microsoft.EntityFrameworkCore;

namespace Realtime.Persistence;

public static class ChatDatabase
{
    public const string SqliteMigrationsAssembly = "Realtime.Persistence.Sqlite";
    public const string SqlServerMigrationsAssembly = "Realtime.Persistence.SqlServer";
    public const string PostgreSqlMigrationsAssembly = "Realtime.Persistence.PostgreSql";

    /// <summary>Points <paramref name="options"/> at one provider and at that provider's migrations assembly.</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return provider switch
        {
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly)).AddInterceptors(SqliteSessionSettings.Instance),
            DatabaseProvider.SqlServer => options.UseSqlServer(connectionString, o => o.MigrationsAssembly(SqlServerMigrationsAssembly)),
            DatabaseProvider.PostgreSql => options.UseNpgsql(connectionString, o => o.MigrationsAssembly(PostgreSqlMigrationsAssembly)).AddInterceptors(PreparedStatements.Instance),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
        };
    }

    public static DatabaseProvider ProviderOf(DbContext db) => db.Database.ProviderName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => DatabaseProvider.Sqlite,
        "Microsoft.EntityFrameworkCore.SqlServer" => DatabaseProvider.SqlServer,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => DatabaseProvider.PostgreSql,
        var other => throw new NotSupportedException($"Database provider '{other}' is not supported."),
    };

    /// <summary>Applies pending migrations, plus the settings SQLite needs for concurrent readers and writers.</summary>
    public static async Task MigrateAsync(ChatDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (ProviderOf(db) == DatabaseProvider.Sqlite)
        {
            // WAL lets readers run beside the single writer; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
