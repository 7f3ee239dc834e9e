using System.Text.Json;
using System.Text.Json.Serialization;

namespace Realtime.Bench;

/// <summary>The --json report: web casing, indented, and NaN kept for a figure a run could not measure.</summary>
internal static class BenchJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync(string path, object report)
    {
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, Options));
        Console.WriteLine($"wrote {path}");
    }
}
