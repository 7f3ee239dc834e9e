using Realtime.Server.Admin;
using Realtime.Server.Auth;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;
using Realtime.Server.Hubs;
using Realtime.Server.Messages;
using Realtime.Server.Notifications;
using Realtime.Server.Observability;
using Realtime.Server.OpenApi;
using Realtime.Server.Persistence;
using Realtime.Server.Presence;
using Realtime.Server.ScaleOut;
using Realtime.Server.Security;
using Realtime.Server.WebChat;

namespace Realtime.Server;

public static class RealtimeExtensions
{
    /// <summary>Registers the whole service; each feature folder adds its own part.</summary>
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.AddChatPersistence();
        builder.AddChatAuthentication();
        // Scale-out first: AddChatHub wraps every hub protocol registered by then, AddSignalR's own included.
        builder.AddChatScaleOut();
        builder.AddChatHub();
        builder.AddChatHealthChecks();
        builder.AddChatTelemetry();
        builder.AddGracefulShutdown();
        builder.AddChatSecurity();
        builder.AddChatOpenApi();
        builder.AddChatAdmin();

        builder.Services.AddScoped<ConversationService>();
        builder.Services.AddScoped<DirectConversations>();
        builder.Services.AddScoped<ConversationAdministration>();
        builder.Services.AddScoped<ReceiptService>();
        builder.Services.AddScoped<MessageService>();
        builder.Services.AddScoped<TypingService>();
        builder.Services.AddScoped<PresenceService>();
        builder.Services.AddScoped<NotificationService>();
        builder.Services.AddSingleton<MessageWriter>();
        builder.Services.AddSingleton<MessageSender>();
        builder.Services.AddSingleton<ReplyTargets>();
        builder.Services.AddSingleton<ChangeCommit>();
        builder.Services.AddSingleton<MessageChanger>();
        builder.Services.AddScoped<ChatHubServices>();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ChatProblemDetails>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public static async Task<WebApplication> UseRealtimeAsync(this WebApplication app)
    {
        await app.MigrateChatDatabaseAsync();

        // A hub's WebSocket request lives as long as its connection, and so does every middleware frame it passes
        // through; these two can only ever shape an HTTP response body, which a WebSocket client never reads.
        app.UseWhen(context => !context.WebSockets.IsWebSocketRequest, http => http.UseExceptionHandler().UseStatusCodePages());
        app.UseWebChat();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapChatHealthChecks();
        app.MapChatMetrics();
        app.MapChatOpenApi();
        app.MapDevTokens();
        app.MapConversationApi();
        app.MapMessageApi();
        app.MapNotificationApi();
        app.MapAdminApi();
        app.MapChatHub();
        return app;
    }
}
