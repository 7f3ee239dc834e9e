using System.Diagnostics;
using Realtime.Contracts;
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

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Infrastructure.Samples.DllOf("console-chat", "Realtime.ConsoleChat"), "--server", server.BaseAddress.ToString(), "--user", alice, "--protocol", protocol })
        {
            start.ArgumentList.Add(argument);
        }

        using var console = Process.Start(start)!;
        var output = console.StandardOutput.ReadToEndAsync();
        var errors = console.StandardError.ReadToEndAsync();
        await console.StandardInput.WriteAsync($"/create piped {bob.UserId}\nhello from the console <b>&</b>\n/wait 1 30\n/list\n/quit\n");
        console.StandardInput.Close();

        var conversation = await bob.Received.WaitForAsync<ConversationDto>(c => c.Title == "piped", "bob hears of the console's conversation");
        await bob.Received.WaitForAsync<MessageDto>(m => m.Content == "hello from the console <b>&</b>", "bob receives the console's message");
        await bob.Hub.SendMessage(conversation.Id, "reply", "hi console");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await console.WaitForExitAsync(timeout.Token);

        var lines = (await output).Split('\n', StringSplitOptions.TrimEntries);
        console.ExitCode.Should().Be(0, await errors);
        lines.Should().Contain(l => l.StartsWith($"created {conversation.Id} piped", StringComparison.Ordinal));
        lines.Should().Contain("sent #1");
        lines.Should().Contain($"#2 {bob.UserId}: hi console");
        lines.Should().Contain("waited");
        lines.Should().Contain(l => l.StartsWith($"{conversation.Id} piped unread=1 last=#2", StringComparison.Ordinal));
    }
}
