namespace Realtime.Server.Admin;

public static class AdminExtensions
{
    public static IHostApplicationBuilder AddChatAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.StatsTimeToLive >= 2 * o.StatsInterval, "Admin:StatsTimeToLive must be at least twice Admin:StatsInterval, or a live node could drop out between two reports.")
            .ValidateOnStart();
        builder.Services.AddSingleton<LocalNodeStats>();
        builder.Services.AddSingleton<LocalUserDisconnect>();
        // IClusterStats and IUserDisconnect come from scale-out: this node alone, or every node through Redis.
        return builder;
    }
}
