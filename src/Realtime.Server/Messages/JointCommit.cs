using Realtime.Persistence;

namespace Realtime.Server.Messages;

/// <summary>
/// On SQLite, a batch that carries both sends and changes commits in one transaction: the file has one writer, so
/// two transactions cost two waits for the disk where one does. Anything out of the ordinary (an outsider's send,
/// a retried send, a concurrent change, an error) rolls it back, and the halves are written apart the usual way
/// (<see cref="SendCommit"/>, <see cref="ChangeCommit"/>), which says why for each. Server databases keep the
/// halves apart: nodes write there at once, and one transaction taking the sends' conversation locks and then the
/// changes' could deadlock another node's doing the same the other way round.
/// </summary>
internal sealed partial class JointCommit(IServiceScopeFactory scopes, SendCommit sends, ChangeCommit changes, ILogger logger)
{
    private bool? _applies;

    /// <summary>Both halves, committed together; null when they were not, and nothing was written.</summary>
    public async Task<(Dictionary<(string, string), SendResult> Sent, List<ChangeOutcome> Changed)?> TryCommitAsync(
        List<PendingMessage> batch, List<PendingChange> pending)
    {
        if (_applies == false)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        if (!(_applies ??= db.Provider == DatabaseProvider.Sqlite))
        {
            return null;
        }

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            if (await sends.WriteTogetherAsync(db, batch) is not { } sent)
            {
                return null;
            }

            var (changed, _) = await changes.WriteAsync(db, pending);
            await transaction.CommitAsync();
            return (sent, changed);
        }
        catch (Exception exception)
        {
            // Rolled back: the halves apart meet the same trouble and answer each write for it.
            LogApart(logger, batch.Count + pending.Count, exception);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A batch of {Count} sends and changes could not commit together; writing its halves apart")]
    private static partial void LogApart(ILogger logger, int count, Exception exception);
}
