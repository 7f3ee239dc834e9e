using System.Globalization;
using Realtime.Client.Sync;

namespace Realtime.ConsoleChat;

/// <summary>One method per slash command; a line without one is a message to the open conversation.</summary>
internal sealed class Commands(string me, ChatSyncClient chat, Screen screen, Catalogue catalogue)
{
    private const string Help =
        "/create <title> [with user, user]  /open <number or title>  /list  /history  /add <user>  /remove <user>  /leave  " +
        "/read  /presence <user, user>  /typing  /wait <count> [seconds]  /quit";

    /// <returns>False once the user quits.</returns>
    public async Task<bool> RunAsync(string line)
    {
        var (command, rest) = line.StartsWith('/') ? SplitFirst(line) : ("/say", line);
        switch (command)
        {
            case "/quit":
                return false;
            case "/help":
                screen.Say(Help);
                break;
            case "/create":
                await CreateAsync(rest);
                break;
            case "/open":
                var found = catalogue.Find(Require(rest, "/open <number or title>"));
                screen.Open = found.Id;
                screen.Say($"opened {catalogue.Name(found.Id)} ({found.MemberIds.Count} members)");
                break;
            case "/list":
                await ListAsync();
                break;
            case "/history":
                foreach (var message in await chat.Hub.GetHistory(RequireOpen(), null, 20))
                {
                    screen.Say($"  #{message.Sequence} {message.SenderId}: {message.Content}");
                }

                break;
            case "/add":
                Members(await chat.Hub.AddMember(RequireOpen(), Require(rest, "/add <user>")));
                break;
            case "/remove":
                Members(await chat.Hub.RemoveMember(RequireOpen(), Require(rest, "/remove <user>")));
                break;
            case "/leave":
                await chat.Hub.RemoveMember(RequireOpen(), me);
                break;
            case "/read":
                var receipt = await chat.Hub.MarkRead(RequireOpen(), long.MaxValue / 2);
                screen.Say($"read up to #{receipt.LastReadSequence}");
                break;
            case "/presence":
                foreach (var presence in await chat.Hub.GetPresence(List(rest)))
                {
                    screen.Say($"{presence.UserId} {(presence.IsOnline ? "online" : "offline")}");
                }

                break;
            case "/typing":
                await chat.Hub.SetTyping(RequireOpen(), true);
                break;
            case "/wait":
                var (count, seconds) = SplitFirst(rest);
                var arrived = await screen.WaitForMessagesFromOthersAsync(
                    int.Parse(count, CultureInfo.InvariantCulture),
                    TimeSpan.FromSeconds(seconds.Length > 0 ? int.Parse(seconds, CultureInfo.InvariantCulture) : 10));
                screen.Say(arrived ? "waited" : "timed out waiting");
                break;
            case "/say":
                var sent = await chat.SendAsync(RequireOpen(), rest);
                screen.Say($"sent #{sent.Sequence}");
                break;
            default:
                screen.Say($"unknown command {command}; /help lists them");
                break;
        }

        return true;
    }

    private async Task CreateAsync(string rest)
    {
        // "/create Weekend plans with bob, carol": the title is everything before the last " with ".
        var split = rest.LastIndexOf(" with ", StringComparison.OrdinalIgnoreCase);
        var (title, members) = split < 0 ? (rest, string.Empty) : (rest[..split].Trim(), rest[(split + 6)..]);
        var created = await chat.Hub.CreateConversation(Require(title, "/create <title> [with user, user]"), List(members));
        catalogue.Put(created);
        screen.Open = created.Id;
        screen.Say($"created {catalogue.Name(created.Id)} with {string.Join(", ", created.MemberIds)}");
    }

    private async Task ListAsync()
    {
        foreach (var conversation in await chat.Hub.GetConversations())
        {
            catalogue.Put(conversation);
        }

        foreach (var conversation in catalogue.Numbered())
        {
            var open = conversation.Id == screen.Open ? " (open)" : string.Empty;
            screen.Say($"{catalogue.Name(conversation.Id)}{open}: {conversation.MemberIds.Count} members, {conversation.UnreadCount} unread, last #{conversation.LastSequence}");
        }
    }

    private void Members(Realtime.Contracts.ConversationDto conversation) =>
        screen.Say($"members of {catalogue.Name(conversation.Id)}: {string.Join(", ", conversation.MemberIds)}");

    private string RequireOpen() => screen.Open ?? throw new UserError("no open conversation: /create or /open one first");

    private static string Require(string value, string usage) => value.Length > 0 ? value : throw new UserError($"usage: {usage}");

    private static string[] List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (string Head, string Tail) SplitFirst(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, string.Empty) : (text[..space], text[(space + 1)..].Trim());
    }
}
