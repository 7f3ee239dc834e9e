using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Trace;
using Realtime.Server.Admin;
using Realtime.Server.Connections;
using Realtime.Server.Delivery;
using Realtime.Server.Hubs;
using Realtime.Server.Messages;
using Realtime.Server.Presence;
using Realtime.Server.Observability;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

public static class ScaleOutExtensions
{
    /// <summary>
    /// One node with in-memory presence, or, with <c>Redis:ConnectionString</c> set, the same code on N
    /// nodes: the Redis backplane carries group and user sends, presence and membership changes.
    /// </summary>
    public static IHostApplicationBuilder AddChatScaleOut(this IHostApplicationBuilder builder)
    {
        var signalR = builder.Services.AddSignalR();
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.PresenceNodeTimeout >= 2 * o.PresenceHeartbeatInterval, "Redis:PresenceNodeTimeout must be at least twice Redis:PresenceHeartbeatInterval.")
            .Validate(o => !o.IsEnabled || TryParse(o.ConnectionString!), "Redis:ConnectionString is not a valid StackExchange.Redis configuration.")
            .ValidateOnStart();
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<LocalConnectionRegistry>();
        services.AddSingleton<LocalMembershipApplier>();
        services.AddSingleton<LocalPresenceFanOut>();

        var redis = configuration.GetSection(RedisOptions.SectionName).Get<RedisOptions>() ?? new RedisOptions();
        if (!redis.IsEnabled || !TryParse(redis.ConnectionString!))
        {
            services.AddSingleton<IPresenceTracker, InMemoryPresenceTracker>();
            services.AddSingleton<IOnlineUsers>(provider => provider.GetRequiredService<IPresenceTracker>());
            services.AddSingleton<IGroupMembershipSync, LocalGroupMembershipSync>();
            services.AddSingleton<IPresenceBroadcast, LocalPresenceBroadcast>();
            services.AddSingleton<IMessageBroadcast, LocalMessageBroadcast>();
            services.AddSingleton<IGroupForwarding, NoGroupForwarding>();
            services.AddSingleton<IClusterStats, LocalClusterStats>();
            services.AddSingleton<IUserDisconnect>(provider => provider.GetRequiredService<LocalUserDisconnect>());
            AddChatDelivery(services, provider => ActivatorUtilities.CreateInstance<DefaultHubLifetimeManager<ChatHub>>(provider));
            return builder;
        }

        services.AddSingleton<IConnectionMultiplexer>(provider =>
            ConnectionMultiplexer.Connect(ConfigurationFor(provider.GetRequiredService<IOptions<RedisOptions>>().Value)));
        signalR.AddStackExchangeRedis(options => options.Configuration = ConfigurationFor(redis));
        // Binds the one multiplexer (backplane, presence, membership and routing share it). Statements
        // stay terse (command and channel), never the values that carry message contents.
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddRedisInstrumentation());
        // One multiplexer for the backplane, presence and membership: readiness then speaks for all three,
        // and they reconnect together.
        services.AddOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>()
            .Configure<IServiceProvider>((options, provider) =>
                options.ConnectionFactory = _ => Task.FromResult(provider.GetRequiredService<IConnectionMultiplexer>()));

        AddChatDelivery(services, provider => ActivatorUtilities.CreateInstance<RedisOutageTolerantLifetimeManager>(
            provider, ActivatorUtilities.CreateInstance<RedisHubLifetimeManager<ChatHub>>(provider)));
        services.AddSingleton<RedisGroupForwarding>();
        services.AddSingleton<IGroupForwarding>(provider => provider.GetRequiredService<RedisGroupForwarding>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisGroupForwarding>());
        services.AddSingleton<ConversationChannels>();
        services.AddHostedService(provider => provider.GetRequiredService<ConversationChannels>());
        services.AddSingleton<RedisMessageBroadcast>();
        services.AddSingleton<IMessageBroadcast>(provider => provider.GetRequiredService<RedisMessageBroadcast>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisMessageBroadcast>());

        services.AddSingleton<RedisNodeStats>();
        services.AddSingleton<IClusterStats>(provider => provider.GetRequiredService<RedisNodeStats>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisNodeStats>());
        services.AddSingleton<RedisUserDisconnect>();
        services.AddSingleton<IUserDisconnect>(provider => provider.GetRequiredService<RedisUserDisconnect>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisUserDisconnect>());

        services.AddSingleton<RedisPresenceTracker>();
        services.AddSingleton<IPresenceTracker>(provider => provider.GetRequiredService<RedisPresenceTracker>());
        services.AddSingleton<IOnlineUsers>(provider => provider.GetRequiredService<RedisPresenceTracker>());
        services.AddHostedService<PresenceMaintenanceService>();
        services.AddSingleton<RedisGroupMembershipSync>();
        services.AddSingleton<IGroupMembershipSync>(provider => provider.GetRequiredService<RedisGroupMembershipSync>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisGroupMembershipSync>());
        services.AddSingleton<RedisPresenceBroadcast>();
        services.AddSingleton<IPresenceBroadcast>(provider => provider.GetRequiredService<RedisPresenceBroadcast>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisPresenceBroadcast>());
        // Degraded, not unhealthy: without Redis a node still serves its own connections, persists and delivers
        // locally, and catches its members up when Redis returns; taking it out of the load balancer would
        // only move its users onto nodes in the same state.
        services.AddHealthChecks().AddRedis(provider => provider.GetRequiredService<IConnectionMultiplexer>(), "redis", failureStatus: HealthStatus.Degraded, tags: [HealthExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// Registered for the chat hub itself, so it takes precedence over the manager SignalR registers for
    /// every hub; <paramref name="inner"/> still carries every send but a batch of messages.
    /// </summary>
    private static void AddChatDelivery(IServiceCollection services, Func<IServiceProvider, HubLifetimeManager<ChatHub>> inner)
    {
        services.AddSingleton<IGapReader, MissedMessages>();
        services.AddSingleton<ConversationInterest>();
        services.AddSingleton<LocalConversationGroups>();
        services.AddSingleton(provider => provider.GetRequiredService<LocalConversationGroups>().Delivery);
        services.AddSingleton(provider => new ChatHubLifetimeManager(inner(provider), provider.GetRequiredService<LocalConversationGroups>(), provider.GetRequiredService<IGroupForwarding>()));
        services.AddSingleton<HubLifetimeManager<ChatHub>>(provider => provider.GetRequiredService<ChatHubLifetimeManager>());
    }

    private static ConfigurationOptions ConfigurationFor(RedisOptions redis)
    {
        var configuration = ConfigurationOptions.Parse(redis.ConnectionString!);
        // Start and keep running while Redis is away; the multiplexer reconnects on its own. While it is
        // away, commands fail at once instead of queueing, so a send is persisted and acknowledged
        // without waiting on the backplane; clients catch up with GetMessages.
        // The multiplexer prefixes every pub/sub channel (SignalR's and ours); keys are prefixed by hand.
        configuration.ChannelPrefix = RedisChannel.Literal(redis.ChannelPrefix + ":");
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ReconnectRetryPolicy = new LinearRetry(1000);
        // Read Redis on the thread pool rather than on dedicated reader threads: every batch from another
        // node then starts on a worker instead of waking a reader thread that hands it over to a worker
        // (the hand-over was a twelfth of a cluster node's CPU when held to a fraction of a core).
        configuration.SocketManager = SocketManager.ThreadPool;
        return configuration;
    }

    private static bool TryParse(string connectionString)
    {
        try
        {
            ConfigurationOptions.Parse(connectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
