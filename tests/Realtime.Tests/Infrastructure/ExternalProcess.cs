using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Realtime.Tests.Infrastructure;

/// <summary>Runs the real server programs the tests depend on (pg_ctl, redis-server, ...).</summary>
public static class ExternalProcess
{
    public static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>Runs a program to completion; fails with its output when it exits non-zero.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string? asUser = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo
        {
            FileName = asUser is not null && RunningAsRoot ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUser is not null && RunningAsRoot)
        {
            foreach (var argument in new[] { "-u", asUser, "--", fileName })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancellation.Token);
        var text = await output + await error;
        return process.ExitCode == 0
            ? text
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {text}");
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Finds an installed program in <paramref name="directories"/>, then on PATH.</summary>
    public static string FindProgram(string name, IEnumerable<string> directories)
    {
        var searched = directories.Concat((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries));
        return searched.Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} is not installed; ./build.sh test installs it.");
    }
}
