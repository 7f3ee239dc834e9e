using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Realtime.Server.WebChat;

/// <summary>
/// Serves the browser chat sample (samples/web-chat) when <c>WebChat:Root</c> points at it: on by
/// default in Development, so the run command gives a working chat page with no extra step.
/// </summary>
public static class WebChatExtensions
{
    private static readonly (string RequestPath, string PackageFolder)[] Vendor =
    [
        ("/vendor/signalr", "node_modules/@microsoft/signalr/dist/browser"),
        ("/vendor/signalr-protocol-msgpack", "node_modules/@microsoft/signalr-protocol-msgpack/dist/browser"),
        // The repository's TypeScript SDK (clients/typescript, linked by the web chat's package.json): its built ES
        // modules and the two re-exports that hand them SignalR's browser bundles. Only these, never its sources.
        ("/vendor/realtime-client/dist", "node_modules/@realtime/client/dist"),
        ("/vendor/realtime-client/browser", "node_modules/@realtime/client/browser"),
    ];

    public static WebApplication UseWebChat(this WebApplication app)
    {
        var configured = app.Configuration["WebChat:Root"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return app;
        }

        var root = Path.GetFullPath(Path.Combine(app.Environment.ContentRootPath, configured));
        var page = Path.Combine(root, "wwwroot");
        if (!Directory.Exists(page))
        {
            return app;
        }

        // The page's limits come from the server's own options, so its counter and checks never disagree with them.
        app.MapGet("/web-chat/settings.json", (IOptions<ChatOptions> chat) => TypedResults.Ok(new WebChatSettings(chat.Value.MaxContentLength)))
            .AllowAnonymous()
            .ExcludeFromDescription();

        var pageFiles = new PhysicalFileProvider(page);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pageFiles });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = pageFiles });
        foreach (var (requestPath, packageFolder) in Vendor)
        {
            var folder = Path.Combine(root, packageFolder);
            if (Directory.Exists(folder))
            {
                app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(folder), RequestPath = requestPath });
            }
        }

        return app;
    }
}
