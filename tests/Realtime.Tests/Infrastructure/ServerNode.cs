using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Tests.Infrastructure;

/// <summary>
/// The service as its own operating-system process (the built Realtime.Server.dll on real Kestrel),
/// so a test can run several nodes, kill one with SIGKILL, and start it again.
/// </summary>
public sealed class ServerNode : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private ServerNode(string name, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Port = port;
        _environment = environment;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string Output => string.Join('\n', _output);

    public static async Task<ServerNode> StartAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Auth__Issuer"] = "realtime-test",
            ["Auth__Audience"] = "realtime",
            ["Auth__SigningKey"] = ChatServer.SigningKey,
            ["Auth__DevTokens"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Shutdown__DrainDelay"] = "00:00:00",
        };
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var node = new ServerNode(name, ExternalProcess.FreePort(), environment);
        await node.StartAgainAsync();
        return node;
    }

    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Realtime.Server.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseAddress.ToString());
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReadyAsync();
    }

    /// <summary>SIGKILL: no graceful shutdown, no goodbye to Redis.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as Kubernetes sends it; the node drains and exits on its own.</summary>
    public void Terminate() =>
        Process.Start("kill", ["-TERM", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    public async Task<string> IssueTokenAsync(string userId, params string[] roles)
    {
        using var response = await Http.PostAsJsonAsync("/api/dev/token", new DevTokenRequest(userId, null, roles));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DevTokenResponse>())!.AccessToken;
    }

    public async Task<TestClient> ConnectAsync(string userId, ChatProtocol protocol = ChatProtocol.Json, Microsoft.AspNetCore.SignalR.Client.IRetryPolicy? reconnectPolicy = null) =>
        await TestClient.ConnectAsync(BaseAddress, userId, await IssueTokenAsync(userId), protocol, reconnectPolicy);

    /// <summary>A counter of this node's /metrics, summed over its series whose labels hold <paramref name="label"/>; 0 when absent.</summary>
    public async Task<long> CounterAsync(string name, string label)
    {
        var lines = (await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
        return lines
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && line.Contains($"\"{label}\"", StringComparison.Ordinal))
            .Sum(line => (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>An HTTP client of this node that sends a token for <paramref name="userId"/> with <paramref name="roles"/>.</summary>
    public async Task<HttpClient> HttpClientForAsync(string userId, params string[] roles)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await IssueTokenAsync(userId, roles));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            // SIGTERM first: a graceful stop is what a deployment does.
            Terminate();
            using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        Http.Dispose();
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"Node {Name} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Node {Name} did not become ready:\n{Output}");
            }

            await Task.Delay(100);
        }
    }
}
