using Realtime.Contracts;
using Realtime.Tests.Admin;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Samples;

public sealed class ConsoleChatTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task The_console_chat_driven_by_piped_input_creates_sends_and_receives(string protocol)
    {
        var server = fixture.Server;
        var alice = Users.Unique("alice");
        await using var bob = await server.ConnectAsync(Users.Unique("bob"));
        await using var console = ConsoleSession.Start(server.BaseAddress, alice, protocol);

        await console.TypeAsync($"/create Piped chat with friends with {bob.UserId}\nhello from the console <b>&</b>\n/wait 1 30\n/list\n/quit\n");

        var conversation = await bob.Received.WaitForAsync<ConversationDto>(c => c.Title == "Piped chat with friends", "bob hears of the console's conversation");
        await bob.Received.WaitForAsync<MessageDto>(m => m.Content == "hello from the console <b>&</b>", "bob receives the console's message");
        await bob.Hub.SendMessage(conversation.Id, "reply", "hi console");
        var (exitCode, errors) = await console.EndInputAsync();

        exitCode.Should().Be(0, errors);
        var lines = console.Lines;
        lines.Should().Contain($"created 1. Piped chat with friends with {alice}, {bob.UserId}");
        lines.Should().Contain("sent #1");
        lines.Should().ContainSingle(l => l == $"#2 {bob.UserId}: hi console", "each message is shown once");
        lines.Should().Contain("waited");
        lines.Should().Contain("1. Piped chat with friends (open): 2 members, 1 unread, last #2");
    }

    [Fact]
    public async Task The_console_chat_opens_conversations_by_number_or_title_and_shows_the_resync_after_its_connection_drops()
    {
        var server = fixture.Server;
        var alice = Users.Unique("alice");
        await using var bob = await server.ConnectAsync(Users.Unique("bob"));
        var weekend = await bob.Hub.CreateConversation("Weekend plans", [alice]);
        var kickoff = await bob.Hub.CreateConversation("Project kickoff notes", [alice]);
        await using var console = ConsoleSession.Start(server.BaseAddress, alice, "messagepack");
        await console.WaitForLineAsync(l => l.EndsWith("2 conversations; /help for commands", StringComparison.Ordinal), "the console connects");

        await console.TypeAsync("/list\n");
        await console.WaitForLineAsync("1. Weekend plans: 2 members, 0 unread, last #0");
        await console.WaitForLineAsync("2. Project kickoff notes: 2 members, 0 unread, last #0");
        await console.TypeAsync("/open project kickoff\n");
        await console.WaitForLineAsync("opened 2. Project kickoff notes (2 members)");
        await console.TypeAsync("/open 1\nsee you saturday\n");
        await console.WaitForLineAsync("sent #1");
        await console.TypeAsync("/open nothing like it\n");
        await console.WaitForLineAsync("error: no conversation is called \"nothing like it\"; /list shows them");

        // The connection drops; what bob sends meanwhile shows once, live or read back by the resync.
        using var admin = await server.HttpClientForAsync(Users.Unique("root"), "admin");
        await AdminApi.DisconnectAsync(admin, alice);
        await bob.Hub.SendMessage(kickoff.Id, "away-1", "while you were away");
        await console.WaitForLineAsync("connection lost; reconnecting...");
        await console.WaitForLineAsync(l => l.StartsWith("resynced: ", StringComparison.Ordinal), "the console shows the resync");
        await console.WaitForLineAsync("back online");
        await bob.Hub.SendMessage(weekend.Id, "after-1", "back to the weekend");
        await console.WaitForLineAsync($"#2 {bob.UserId}: back to the weekend");
        await console.WaitForLineAsync($"[2. Project kickoff notes] #1 {bob.UserId}: while you were away");
        var (exitCode, errors) = await console.EndInputAsync();

        exitCode.Should().Be(0, errors);
        console.Lines.Count(l => l.EndsWith("while you were away", StringComparison.Ordinal)).Should().Be(1, "nothing is shown twice");
        console.Lines.Should().ContainSingle(l => l.EndsWith("see you saturday", StringComparison.Ordinal), "the sync hands its own message on once too");
    }
}
