using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Persistence;

namespace Realtime.Server.Persistence;

public static partial class PersistenceExtensions
{
    public const string ConnectionStringName = "Chat";

    public static IHostApplicationBuilder AddChatPersistence(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName)
            .Validate(o => Enum.IsDefined(o.Provider), "Database:Provider must be Sqlite, SqlServer or PostgreSql.")
            .ValidateOnStart();
        builder.Services.AddOptions<ChatConnectionString>()
            .Configure<IConfiguration>((o, configuration) => o.Value = configuration.GetConnectionString(ConnectionStringName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Value), $"ConnectionStrings:{ConnectionStringName} is required.")
            .ValidateOnStart();

        builder.Services.AddDbContextPool<ChatDbContext>((services, options) =>
        {
            var provider = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider;
            var connectionString = services.GetRequiredService<IOptions<ChatConnectionString>>().Value.Value!;
            ChatDatabase.Configure(options, provider, connectionString);
        });
        return builder;
    }

    /// <summary>Applies pending migrations before the node takes traffic, unless they are applied out of band.</summary>
    public static async Task MigrateChatDatabaseAsync(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        LogMigrating(app.Logger, db.Database.ProviderName);
        await ChatDatabase.MigrateAsync(db, app.Lifetime.ApplicationStopping);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying database migrations with provider {Provider}")]
    private static partial void LogMigrating(ILogger logger, string? provider);

    private sealed class ChatConnectionString
    {
        public string? Value { get; set; }
    }
}
