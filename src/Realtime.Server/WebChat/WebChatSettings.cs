namespace Realtime.Server.WebChat;

/// <summary>What the browser chat reads at start-up from <c>GET /web-chat/settings.json</c>: the server's own limits.</summary>
public sealed record WebChatSettings(int MaxContentLength);
