using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;
using Realtime.Server.Notifications;

namespace Realtime.Server.Hubs;

public static class HubExtensions
{
    public static IHostApplicationBuilder AddChatHub(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR(options =>
            {
                options.EnableDetailedErrors = false;
                options.AddFilter<ChatHubErrorFilter>();
            })
            .AddJsonProtocol()
            .AddMessagePackProtocol();
        builder.Services.AddSingleton<ChatHubErrorFilter>();
        builder.Services.AddSingleton<TypingRegistry>();
        builder.Services.AddSingleton<IChatNotifier, SignalRChatNotifier>();
        return builder;
    }

    public static IEndpointRouteBuilder MapChatHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<ChatHub>(ChatEndpoints.HubPath, options =>
        {
            // A connection lives no longer than the token that opened it; the client reconnects with a fresh one.
            options.CloseOnAuthenticationExpiration = true;
            options.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
        });
        return app;
    }
}
