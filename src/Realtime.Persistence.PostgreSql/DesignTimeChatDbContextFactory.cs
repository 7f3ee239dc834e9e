using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Realtime.Persistence.PostgreSql;

/// <summary>Lets `dotnet ef` build the model for this provider; no database is contacted to add a migration.</summary>
public sealed class DesignTimeChatDbContextFactory : IDesignTimeDbContextFactory<ChatDbContext>
{
    public ChatDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ChatDbContext>();
        ChatDatabase.Configure(options, DatabaseProvider.PostgreSql, "Host=localhost;Database=realtime");
        return new ChatDbContext(options.Options);
    }
}
