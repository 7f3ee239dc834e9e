using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Realtime.Persistence.Sqlite;

/// <summary>Lets `dotnet ef` build the model for this provider; no database is contacted to add a migration.</summary>
public sealed class DesignTimeChatDbContextFactory : IDesignTimeDbContextFactory<ChatDbContext>
{
    public ChatDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ChatDbContext>();
        ChatDatabase.Configure(options, DatabaseProvider.Sqlite, "Data Source=design-time.db");
        return new ChatDbContext(options.Options);
    }
}
