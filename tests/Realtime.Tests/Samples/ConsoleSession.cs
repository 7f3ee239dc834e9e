using System.Diagnostics;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Samples;

/// <summary>The console chat sample as a real process that a test types into and reads line by line.</summary>
internal sealed class ConsoleSession : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly Task<string> _errors;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ConsoleSession(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _errors = _process.StandardError.ReadToEndAsync();
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public static ConsoleSession Start(Uri server, string user, string protocol)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Infrastructure.Samples.DllOf("console-chat", "Realtime.ConsoleChat"), "--server", server.ToString(), "--user", user, "--protocol", protocol })
        {
            start.ArgumentList.Add(argument);
        }

        return new ConsoleSession(Process.Start(start)!);
    }

    public async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for an output line that satisfies <paramref name="predicate"/>; fails with the output so far on timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, string because, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
                if (_lines.FirstOrDefault(predicate) is { } line)
                {
                    return line;
                }
            }

            try
            {
                await changed.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting until {because}. Output:\n{string.Join('\n', Lines)}");
            }
        }
    }

    public Task<string> WaitForLineAsync(string line, TimeSpan? timeout = null) => WaitForLineAsync(l => l == line, $"the console prints \"{line}\"", timeout);

    /// <summary>Closes the input (the sample quits at its end) and returns the exit code and standard error.</summary>
    public async Task<(int ExitCode, string Errors)> EndInputAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, await _errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        TaskCompletionSource changed;
        lock (_gate)
        {
            _lines.Add(line.Trim());
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
