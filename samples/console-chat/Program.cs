using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Realtime.Client.Sync;
using Realtime.Contracts;
using Realtime.ConsoleChat;

// Usage: console-chat --user alice [--server http://localhost:5080] [--protocol json|messagepack]
// Type /help for commands; anything else is sent to the open conversation. Reads piped input too.
var options = CommandLine.Parse(args);
if (options.User is null)
{
    Console.Error.WriteLine("usage: console-chat --user <id> [--server <url>] [--protocol json|messagepack]");
    return 2;
}

using var http = new HttpClient { BaseAddress = options.Server };
if (await DevTokenAsync(CancellationToken.None) is null)
{
    Console.Error.WriteLine($"could not get a dev token from {options.Server}");
    return 1;
}

// The sync layer asks for a token at every reconnect, so a fresh one is fetched each time.
await using var chat = ChatSyncClient.Create(options.Server, DevTokenAsync, new ChatSyncOptions { Protocol = options.Protocol });
var catalogue = new Catalogue();
using var screen = new Screen(options.User, catalogue);
using var quit = new CancellationTokenSource();
var showing = screen.ShowAsync(chat.ReadEventsAsync(quit.Token), quit.Token);
await chat.StartAsync();
foreach (var conversation in await chat.Hub.GetConversations())
{
    catalogue.Put(conversation);
}

screen.Say($"connected to {options.Server} as {options.User} ({options.Protocol}); {catalogue.Numbered().Count} conversations; /help for commands");
var commands = new Commands(options.User, chat, screen, catalogue);
while (await Console.In.ReadLineAsync() is { } line)
{
    line = line.Trim();
    if (line.Length == 0)
    {
        continue;
    }

    try
    {
        if (!await commands.RunAsync(line))
        {
            break;
        }
    }
    catch (Exception exception) when (exception is HubException or UserError)
    {
        screen.Say($"error: {exception.Message}");
    }
}

await chat.StopAsync();
await quit.CancelAsync();
await showing.ContinueWith(_ => { }, TaskScheduler.Default);
return 0;

async ValueTask<string?> DevTokenAsync(CancellationToken cancellationToken)
{
    using var response = await http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest(options.User), cancellationToken);
    return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<DevTokenResponse>(cancellationToken))!.AccessToken : null;
}
