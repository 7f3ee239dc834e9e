using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Server;

namespace Realtime.Tests.Infrastructure;

/// <summary>
/// The real service on real Kestrel (127.0.0.1, a free port) with a real SQLite file of its own,
/// built by the same <c>AddRealtime</c>/<c>UseRealtimeAsync</c> as Program.cs.
/// </summary>
public sealed class ChatServer : IAsyncDisposable
{
    public const string SigningKey = "test-signing-key-that-is-long-enough-for-hs256";

    private readonly WebApplication _app;
    private readonly string _directory;

    private ChatServer(WebApplication app, string directory, Uri baseAddress, LogCapture logs)
    {
        _app = app;
        _directory = directory;
        BaseAddress = baseAddress;
        Logs = logs;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public LogCapture Logs { get; }

    public IServiceProvider Services => _app.Services;

    public string DatabasePath => Path.Combine(_directory, "chat.db");

    /// <param name="settings">Configuration over the test defaults; <c>{directory}</c> in a value is the server's own temp folder.</param>
    public static async Task<ChatServer> StartAsync(IDictionary<string, string?>? settings = null, string environment = "Development", Action<WebApplicationBuilder>? configure = null)
    {
        var directory = Directory.CreateTempSubdirectory("realtime-test-").FullName;
        var configuration = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Chat"] = $"Data Source={Path.Combine(directory, "chat.db")}",
            ["Auth:Issuer"] = "realtime-test",
            ["Auth:Audience"] = "realtime",
            ["Auth:SigningKey"] = SigningKey,
            ["Auth:DevTokens"] = "true",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Shutdown:DrainDelay"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value?.Replace("{directory}", directory, StringComparison.Ordinal);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ContentRootPath = directory,
            ApplicationName = typeof(RealtimeExtensions).Assembly.GetName().Name,
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new LogCapture();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.AddRealtime();
        configure?.Invoke(builder);

        var app = builder.Build();
        try
        {
            await app.UseRealtimeAsync();
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ChatServer(app, directory, new Uri(address), logs);
    }

    public async Task<string> IssueTokenAsync(string userId, params string[] roles)
    {
        using var response = await Http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest(userId, null, roles));
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<DevTokenResponse>();
        return token!.AccessToken;
    }

    public async Task<HttpClient> HttpClientForAsync(string userId, params string[] roles)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await IssueTokenAsync(userId, roles));
        return client;
    }

    /// <summary>A started, typed client for <paramref name="userId"/> that records everything the server sends it.</summary>
    public async Task<TestClient> ConnectAsync(string userId, ChatProtocol protocol = ChatProtocol.Json) =>
        await TestClient.ConnectAsync(BaseAddress, userId, await IssueTokenAsync(userId), protocol);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS temp cleaner; the test outcome does not depend on it.
        }
    }
}

/// <summary>One fresh server shared by the tests of a class; tests isolate themselves with unique user ids.</summary>
public sealed class ChatServerFixture : IAsyncLifetime
{
    private ChatServer? _server;

    public ChatServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await ChatServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

public sealed class TestClient(string userId, ChatClient hub, RecordingReceiver received) : IAsyncDisposable
{
    /// <summary>A started, typed client that records everything the server sends it.</summary>
    public static async Task<TestClient> ConnectAsync(Uri server, string userId, string token, ChatProtocol protocol, IRetryPolicy? reconnectPolicy = null)
    {
        var client = ChatClient.Create(server, () => Task.FromResult<string?>(token), protocol, reconnectPolicy);
        var recorder = new RecordingReceiver();
        client.RegisterReceiver(recorder);
        await client.StartAsync();
        return new TestClient(userId, client, recorder);
    }

    /// <summary>
    /// What a client does after a reconnect: keep what it received, fetch everything after its last
    /// contiguous sequence, fold duplicates by sequence.
    /// </summary>
    public async Task<List<MessageDto>> ResyncAsync(string conversationId)
    {
        var held = Received.Messages(conversationId).DistinctBy(m => m.Id).ToDictionary(m => m.Sequence);
        long contiguous = 0;
        while (held.ContainsKey(contiguous + 1))
        {
            contiguous++;
        }

        while (true)
        {
            var page = await Hub.GetMessages(conversationId, contiguous, 200);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var message in page)
            {
                held.TryAdd(message.Sequence, message);
            }

            contiguous = page[^1].Sequence;
        }

        return held.Values.OrderBy(m => m.Sequence).ToList();
    }

    public string UserId { get; } = userId;

    public ChatClient Hub { get; } = hub;

    public RecordingReceiver Received { get; } = received;

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}

public static class Users
{
    /// <summary>A user id no other test uses, so tests can share one server.</summary>
    public static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];
}
