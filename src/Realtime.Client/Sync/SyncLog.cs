using Microsoft.Extensions.Logging;

namespace Realtime.Client.Sync;

// Ids and counts only: never message contents or tokens.
internal static partial class SyncLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection lost; reconnecting")]
    public static partial void Reconnecting(ILogger logger, Exception? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected; resyncing")]
    public static partial void Resyncing(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resync complete: {Messages} messages read back from {Conversations} conversations in {ElapsedMs} ms")]
    public static partial void Resynced(ILogger logger, int conversations, int messages, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gap in conversation {ConversationId}: applied through revision {Revision}, received {Received}")]
    public static partial void Gap(ILogger logger, string conversationId, long revision, long received);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading conversation {ConversationId} failed; trying again")]
    public static partial void ReadRefused(ILogger logger, string conversationId, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading conversation {ConversationId} stopped: the connection is gone; the next resync reads it")]
    public static partial void ReadInterrupted(ILogger logger, string conversationId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resync interrupted; the next connection resyncs again")]
    public static partial void ResyncInterrupted(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The connection closed for good; starting a new one")]
    public static partial void Closed(ILogger logger, Exception? error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Starting a new connection failed (attempt {Attempt})")]
    public static partial void RestartFailed(ILogger logger, long attempt, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Send to conversation {ConversationId} not acknowledged ({Reason}); sending again with the same id")]
    public static partial void SendRetried(ILogger logger, string conversationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined conversation {ConversationId} after revision {Revision}")]
    public static partial void Joined(ILogger logger, string conversationId, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Left conversation {ConversationId}")]
    public static partial void Left(ILogger logger, string conversationId);
}
