using System.Globalization;
using Realtime.Client;

namespace Realtime.Bench;

/// <summary>Shares of sends, reactions and edits in a mixed load, in percent (--mix 70,20,10).</summary>
internal sealed record LogMix(int Sends, int Reactions, int Edits)
{
    public static LogMix Parse(string text)
    {
        var parts = text.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return parts.Length == 3 && parts.All(p => p >= 0) && parts.Sum() == 100
            ? new LogMix(parts[0], parts[1], parts[2])
            : throw new ArgumentException("--mix is three percentages that add up to 100: sends,reactions,edits");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Sends}/{Reactions}/{Edits} sends/reactions/edits");
}

/// <summary>
/// Each client's next operation in the mix, spread evenly over its operations: a send, a reaction to its own
/// last message (added, then removed, so each one changes something), or an edit of it with new text.
/// </summary>
internal sealed class MixedOperations(ChatClient[] clients, string[] conversations, LogMix? mix)
{
    private const string Content = "benchmark message of a typical chat length, about sixty bytes";
    private readonly string?[] _last = new string?[clients.Length];
    private readonly int[] _count = new int[clients.Length];

    public async Task NextAsync(int client, string clientMessageId)
    {
        var n = _count[client]++;
        var slot = (int)((n * 37L + client) % 100);
        var last = _last[client];
        if (mix is null || last is null || slot < mix.Sends)
        {
            _last[client] = (await clients[client].SendMessage(conversations[client], clientMessageId, Content)).Id;
        }
        else if (slot < mix.Sends + mix.Reactions)
        {
            await clients[client].React(conversations[client], last, "👍", add: n % 2 == 0);
        }
        else
        {
            await clients[client].EditMessage(conversations[client], last, $"{Content}, edited {n}");
        }
    }
}
