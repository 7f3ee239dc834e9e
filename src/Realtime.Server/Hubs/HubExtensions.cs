using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Server.Delivery;

namespace Realtime.Server.Hubs;

public static class HubExtensions
{
    public static IHostApplicationBuilder AddChatHub(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR(options =>
            {
                // SignalR then says which exception ended a call or a connection; ErrorCodeHubProtocol turns
                // every such text into a contract code and a fixed sentence, so no detail reaches a client.
                options.EnableDetailedErrors = true;
                // The error filter is outermost, so every refusal, a rate limit's too, is logged and counted
                // in one place; the rate limit runs before the hub, so refused calls cost no database work.
                options.AddFilter<ChatHubErrorFilter>();
                options.AddFilter<HubRateLimitFilter>();
            })
            .AddJsonProtocol()
            .AddMessagePackProtocol();
        WrapProtocols(builder.Services);
        HubRefusalLogFilter.Register(builder.Services);
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<ChatOptions>>((hub, chat) =>
            hub.MaximumReceiveMessageSize = chat.Value.MaxReceiveMessageBytes);
        builder.Services.AddSingleton<HubRateLimitFilter>();
        builder.Services.TryAddSingleton<Realtime.Server.Connections.ConnectGate>();
        builder.Services.AddSingleton<ChatHubErrorFilter>();
        builder.Services.AddSingleton<TypingRegistry>();
        builder.Services.AddSingleton<IChatNotifier, SignalRChatNotifier>();
        return builder;
    }

    private static void WrapProtocols(IServiceCollection services)
    {
        var protocols = services.Where(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType is not null).ToList();
        foreach (var descriptor in protocols)
        {
            var implementation = descriptor.ImplementationType!;
            services.Remove(descriptor);
            services.AddSingleton<IHubProtocol>(provider =>
                new ErrorCodeHubProtocol((IHubProtocol)ActivatorUtilities.CreateInstance(provider, implementation)));
        }
    }

    public static IEndpointRouteBuilder MapChatHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<ChatHub>(ChatEndpoints.HubPath, options =>
        {
            // A connection lives no longer than the token that opened it; the client reconnects with a fresh one.
            options.CloseOnAuthenticationExpiration = true;
            options.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
            // A client whose socket drops for a moment gets what it missed replayed without asking; one
            // that stays away longer resyncs with GetMessages from its last sequence. Such connections get
            // one write per message (LocalConversationGroups), since the replay numbers writes.
            options.AllowStatefulReconnects = true;
        });
        return app;
    }
}
