using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Errors;

namespace Realtime.Server.Messages;

/// <summary>
/// The send half of a batch (<see cref="MessageWriter"/>): writes the sends together (<see cref="MessageLog"/>:
/// one sequence allocation, one insert, one commit). A batch that fails, and a send the batch did not store,
/// are written again one send at a time, so one bad send cannot fail the others and each refusal has its own reason.
/// </summary>
internal sealed partial class SendCommit(IServiceScopeFactory scopes, TimeProvider clock, ILogger logger)
{
    /// <summary>Writes the batch; returns what was stored, by (sender, clientMessageId). Sends it could not store have already failed.</summary>
    public async Task<Dictionary<(string, string), SendResult>> CommitAsync(List<PendingMessage> batch)
    {
        // The same (sender, clientMessageId) twice in one batch: the first is written, the others get its result.
        var firsts = batch.DistinctBy(m => (m.SenderId, m.ClientMessageId)).ToList();
        var results = new Dictionary<(string, string), SendResult>();
        List<PendingMessage> alone;
        try
        {
            foreach (var written in await WriteAsync(firsts))
            {
                results[(written.SenderId, written.ClientMessageId)] = new SendResult(written, IsNew: true);
            }

            // Not stored with the batch: an outsider's send, or one to a missing conversation, or (on
            // the providers that write all or nothing) one held back with them. Alone, each says why;
            // a batch of one already was alone.
            alone = firsts.FindAll(m => !results.ContainsKey((m.SenderId, m.ClientMessageId)));
        }
        catch (DbException exception) when (firsts.Count > 1)
        {
            // A constraint refused one of them, most likely a retry of a stored send: write them one
            // by one so the others are not refused with it.
            LogBatchRetried(logger, firsts.Count, exception);
            alone = firsts;
        }
        catch (DbException exception)
        {
            alone = [];
            try
            {
                results[(firsts[0].SenderId, firsts[0].ClientMessageId)] = await RetriedOrThrowAsync(firsts[0], exception);
            }
            catch (Exception single)
            {
                firsts[0].Completion.TrySetException(single);
            }
        }
        catch (Exception exception)
        {
            // The database is unreachable or timed out: nothing was written, every send in the batch fails alike.
            firsts.ForEach(message => message.Completion.TrySetException(exception));
            return results;
        }

        foreach (var message in alone)
        {
            try
            {
                results[(message.SenderId, message.ClientMessageId)] = firsts.Count > 1 ? await WriteOneAsync(message) : throw await RefusalAsync(message);
            }
            catch (Exception single)
            {
                message.Completion.TrySetException(single);
            }
        }

        return results;
    }

    /// <summary>
    /// Writes the batch inside the caller's transaction; null when it did not store every send (the caller rolls
    /// back and writes the batch the usual way, which says why for each).
    /// </summary>
    public async Task<Dictionary<(string, string), SendResult>?> WriteTogetherAsync(ChatDbContext db, List<PendingMessage> batch)
    {
        var firsts = batch.DistinctBy(m => (m.SenderId, m.ClientMessageId)).ToList();
        var stored = await MessageLog.AppendAsync(db, ToNew(firsts), clock.UtcNowForStorage(), CancellationToken.None);
        return stored.Count != firsts.Count ? null
            : stored.ToDictionary(m => (m.SenderId, m.ClientMessageId), m => new SendResult(MessageViews.Created(m), IsNew: true));
    }

    private async Task<SendResult> WriteOneAsync(PendingMessage message)
    {
        List<MessageDto> written;
        try
        {
            written = await WriteAsync([message]);
        }
        catch (DbException exception)
        {
            return await RetriedOrThrowAsync(message, exception);
        }

        return written.Count == 1 ? new SendResult(written[0], IsNew: true) : throw await RefusalAsync(message);
    }

    /// <summary>Why the log did not store a send on its own: its conversation is missing, or its sender is not a member.</summary>
    private async Task<ChatException> RefusalAsync(PendingMessage message)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        return await db.Conversations.AnyAsync(c => c.Id == message.ConversationId)
            ? ChatException.NotAMember("You are not a member of this conversation.")
            : ChatException.NotFound("No such conversation.");
    }

    /// <summary>A unique-index violation means the same send was stored meanwhile: that is the answer.</summary>
    private async Task<SendResult> RetriedOrThrowAsync(PendingMessage message, Exception exception)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var original = await db.Messages.AsNoTracking()
            .Where(m => m.SenderId == message.SenderId && m.ClientMessageId == message.ClientMessageId)
            .ToListAsync();
        return original.Count == 0 ? throw exception : new SendResult((await MessageViews.ToDtosAsync(db, original, CancellationToken.None))[0], IsNew: false);
    }

    private async Task<List<MessageDto>> WriteAsync(List<PendingMessage> messages)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var stored = await MessageLog.AppendAsync(db, ToNew(messages), clock.UtcNowForStorage(), CancellationToken.None);
        return stored.ConvertAll(MessageViews.Created);
    }

    private static List<NewMessage> ToNew(List<PendingMessage> messages) =>
        messages.ConvertAll(m => new NewMessage(Ids.NewId(), m.ConversationId, m.SenderId, m.ClientMessageId, m.Content, m.ReplyToMessageId));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} sends failed together; retrying them one at a time")]
    private static partial void LogBatchRetried(ILogger logger, int count, Exception exception);
}
