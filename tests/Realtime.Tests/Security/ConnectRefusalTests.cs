using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Security;

/// <summary>Issue 24: a connect that is refused costs the node no database read, and the client is told why.</summary>
public sealed class ConnectRefusalTests
{
    private const string CommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    // EF Core logs every command it runs at Information; the servers here keep that log, and nothing else changes.
    private static Task<ChatServer> StartAsync(params (string Key, string Value)[] settings)
    {
        var all = settings.ToDictionary(s => s.Key, s => (string?)s.Value);
        all[$"Logging:LogLevel:{CommandCategory}"] = "Information";
        return ChatServer.StartAsync(all);
    }

    [Fact]
    public async Task A_user_past_their_connects_per_minute_is_refused_with_rate_limited_before_any_database_read()
    {
        await using var server = await StartAsync(("Chat:ConnectBurst", "2"), ("Chat:ConnectsPerMinute", "1"));
        var user = Users.Unique("reconnect-loop");
        var token = await server.IssueTokenAsync(user);
        // Kept open: a closing connection records its last-seen time, a database write of its own.
        var open = new List<ChatClient>();
        for (var i = 0; i < 2; i++)
        {
            var (accepted, client) = await ConnectAsync(server, token, keep: true);
            accepted.Should().BeNull("the burst admits two connects");
            open.Add(client!);
        }

        using var commands = new DatabaseCommands(server);
        var (reason, _) = await ConnectAsync(server, token);
        reason.Should().Contain("rate_limited: Too many connects for this user; retry after");
        commands.Count.Should().Be(0, "the refusal comes before the membership read");
        await AcceptedConnectIsCountedAsync(server, commands);
        foreach (var client in open)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_user_at_their_connection_limit_is_refused_before_any_database_read()
    {
        await using var server = await StartAsync(("Chat:MaxConnectionsPerUser", "1"));
        var user = Users.Unique("one-tab");
        var token = await server.IssueTokenAsync(user);
        var (first, open) = await ConnectAsync(server, token, keep: true);
        first.Should().BeNull();
        await using var kept = open!;

        using var commands = new DatabaseCommands(server);
        var (reason, _) = await ConnectAsync(server, token);
        reason.Should().Contain("rate_limited: This user already has 1 open connections");
        commands.Count.Should().Be(0);
        await AcceptedConnectIsCountedAsync(server, commands);
    }

    [Fact]
    public async Task Connects_of_one_user_racing_past_the_limit_let_in_exactly_the_limit()
    {
        await using var server = await StartAsync(("Chat:MaxConnectionsPerUser", "3"));
        var token = await server.IssueTokenAsync(Users.Unique("many-tabs"));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ConnectAsync(server, token, keep: true)));

        attempts.Count(a => a.Client is not null).Should().Be(3);
        attempts.Where(a => a.Client is null).Should().HaveCount(5)
            .And.AllSatisfy(a => a.Reason.Should().Contain("rate_limited: This user already has 3 open connections"));
        foreach (var (_, client) in attempts)
        {
            await (client?.DisposeAsync() ?? ValueTask.CompletedTask);
        }
    }

    [Fact]
    public async Task A_connect_with_a_bad_token_is_refused_with_401_and_invalid_token_before_any_database_read()
    {
        await using var server = await StartAsync();
        using var commands = new DatabaseCommands(server);
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, $"{ChatEndpoints.HubPath}/negotiate?negotiateVersion=1");
        negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        using var response = await server.Http.SendAsync(negotiate);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Contain("invalid_token", "the challenge says why");
        var client = ChatClient.Create(server.BaseAddress, () => Task.FromResult<string?>("not-a-token"), reconnectPolicy: new NoReconnect());
        await using (client)
        {
            var refused = await FluentActions.Awaiting(() => client.StartAsync()).Should().ThrowAsync<HttpRequestException>();
            refused.Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        commands.Count.Should().Be(0);
        await AcceptedConnectIsCountedAsync(server, commands);
    }

    [Fact]
    public async Task A_connect_to_a_draining_node_is_refused_with_unavailable_before_any_database_read()
    {
        await using var server = await StartAsync(("Shutdown:DrainDelay", "00:00:05"));
        var token = await server.IssueTokenAsync(Users.Unique("late"));
        // The drain blocks the thread that stops the host for its whole delay, as it does on SIGTERM.
        var stopping = Task.Run(() => server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication());
        await Eventually.HoldsAsync(async () => (await server.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable, "the node reports not ready");

        using var commands = new DatabaseCommands(server);
        var (reason, _) = await ConnectAsync(server, token);
        reason.Should().Contain("unavailable: This node is shutting down");
        commands.Count.Should().Be(0);
        await stopping;
    }

    /// <summary>The control: another user's accepted connect reads its memberships, and the count sees it.</summary>
    private static async Task AcceptedConnectIsCountedAsync(ChatServer server, DatabaseCommands commands)
    {
        var (reason, _) = await ConnectAsync(server, await server.IssueTokenAsync(Users.Unique("control")));
        reason.Should().BeNull();
        commands.Count.Should().BePositive("an accepted connect reads its memberships");
    }

    /// <returns>The close reason when the server refused the connect (null when it was accepted), and the client when asked to keep it.</returns>
    private static async Task<(string? Reason, ChatClient? Client)> ConnectAsync(ChatServer server, string token, bool keep = false)
    {
        var (reason, client) = await RefusableConnect.TryAsync(server.BaseAddress, token);
        if (client is not null && !keep)
        {
            await client.DisposeAsync();
            client = null;
        }

        return (reason, client);
    }

    /// <summary>Counts the commands the server ran on its database since this was made, from EF Core's own log of each.</summary>
    private sealed class DatabaseCommands(ChatServer server) : IDisposable
    {
        private readonly int _before = Executed(server);

        public int Count => Executed(server) - _before;

        public void Dispose()
        {
        }

        private static int Executed(ChatServer server) =>
            server.Logs.Lines.Count(line => line.StartsWith($"Information {CommandCategory}:", StringComparison.Ordinal) && line.Contains("Executed DbCommand", StringComparison.Ordinal));
    }
}
