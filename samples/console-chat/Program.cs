using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Realtime.Client;
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
using var tokenResponse = await http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest(options.User));
if (!tokenResponse.IsSuccessStatusCode)
{
    Console.Error.WriteLine($"could not get a dev token from {options.Server}: {(int)tokenResponse.StatusCode}");
    return 1;
}

var token = (await tokenResponse.Content.ReadFromJsonAsync<DevTokenResponse>())!.AccessToken;
await using var chat = ChatClient.Create(options.Server, () => Task.FromResult<string?>(token), options.Protocol);
using var screen = new Screen(options.User);
chat.RegisterReceiver(screen);
chat.Connection.Reconnecting += _ => { screen.Say("reconnecting..."); return Task.CompletedTask; };
chat.Connection.Reconnected += async _ =>
{
    screen.Say("reconnected");
    if (screen.Open is { } open)
    {
        foreach (var message in await chat.GetMessages(open, screen.LastSequence(open), 200))
        {
            await screen.MessageReceived(message);
        }
    }
};
await chat.StartAsync();
screen.Say($"connected to {options.Server} as {options.User} ({options.Protocol}); /help for commands");

while (await Console.In.ReadLineAsync() is { } line)
{
    line = line.Trim();
    if (line.Length == 0)
    {
        continue;
    }

    try
    {
        if (!await RunAsync(line))
        {
            break;
        }
    }
    catch (HubException exception)
    {
        screen.Say($"error: {exception.Message}");
    }
}

await chat.StopAsync();
return 0;

async Task<bool> RunAsync(string line)
{
    var (command, rest) = line.StartsWith('/') ? SplitFirst(line) : ("/say", line);
    switch (command)
    {
        case "/quit":
            return false;
        case "/help":
            screen.Say("/create <title> [user,user]  /open <id>  /list  /add <user>  /remove <user>  /read  /presence <user,user>  /typing  /wait <count> [seconds]  /quit");
            break;
        case "/create":
            var (title, members) = SplitFirst(rest);
            var created = await chat.CreateConversation(title, members.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            screen.Open = created.Id;
            screen.Say($"created {created.Id} {created.Title} [{string.Join(",", created.MemberIds)}]");
            break;
        case "/open":
            screen.Open = rest;
            foreach (var message in await chat.GetHistory(rest, null, 20))
            {
                await screen.MessageReceived(message);
            }

            screen.Say($"opened {rest}");
            break;
        case "/list":
            foreach (var conversation in await chat.GetConversations())
            {
                screen.Say($"{conversation.Id} {conversation.Title} unread={conversation.UnreadCount} last=#{conversation.LastSequence}");
            }

            break;
        case "/add":
            screen.Say($"members: {string.Join(",", (await chat.AddMember(RequireOpen(), rest)).MemberIds)}");
            break;
        case "/remove":
            screen.Say($"members: {string.Join(",", (await chat.RemoveMember(RequireOpen(), rest)).MemberIds)}");
            break;
        case "/read":
            var receipt = await chat.MarkRead(RequireOpen(), long.MaxValue / 2);
            screen.Say($"read up to #{receipt.LastReadSequence}");
            break;
        case "/presence":
            foreach (var presence in await chat.GetPresence(rest.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                screen.Say($"{presence.UserId} {(presence.IsOnline ? "online" : "offline")}");
            }

            break;
        case "/typing":
            await chat.SetTyping(RequireOpen(), true);
            break;
        case "/wait":
            var (count, seconds) = SplitFirst(rest);
            var arrived = await screen.WaitForMessagesFromOthersAsync(
                int.Parse(count, CultureInfo.InvariantCulture),
                TimeSpan.FromSeconds(seconds.Length > 0 ? int.Parse(seconds, CultureInfo.InvariantCulture) : 10));
            screen.Say(arrived ? "waited" : "timed out waiting");
            break;
        case "/say":
            var sent = await chat.SendMessage(RequireOpen(), Guid.NewGuid().ToString("N"), rest);
            screen.Say($"sent #{sent.Sequence}");
            break;
        default:
            screen.Say($"unknown command {command}; /help lists them");
            break;
    }

    return true;
}

string RequireOpen() => screen.Open ?? throw new HubException("no open conversation: /create or /open one first");

static (string Head, string Tail) SplitFirst(string text)
{
    var space = text.IndexOf(' ', StringComparison.Ordinal);
    return space < 0 ? (text, string.Empty) : (text[..space], text[(space + 1)..].Trim());
}
