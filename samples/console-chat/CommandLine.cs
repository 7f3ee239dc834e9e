using Realtime.Client;

namespace Realtime.ConsoleChat;

internal sealed record CommandLine(string? User, Uri Server, ChatProtocol Protocol)
{
    public static CommandLine Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var protocol = Value("--protocol") is { } p && p.Equals("messagepack", StringComparison.OrdinalIgnoreCase)
            ? ChatProtocol.MessagePack
            : ChatProtocol.Json;
        return new CommandLine(Value("--user"), new Uri(Value("--server") ?? "http://localhost:5080"), protocol);
    }
}
