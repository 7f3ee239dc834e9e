using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;
using Realtime.Server.Observability;
using Realtime.Server.Delivery;


namespace Realtime.Server.Presence;

/// <summary>Acts on a user's online/offline transitions and answers presence queries.</summary>
public sealed class PresenceService(
    ChatDbContext db,
    ConversationService conversations,
    IOnlineUsers tracker,
    IChatNotifier notifier,
    ChatMetrics metrics,
    IOptions<ChatOptions> options,
    TimeProvider clock)
{
    /// <summary>
    /// Tells the members of the user's conversations, from the groups the connection has joined: nothing is
    /// read or written. Last seen is when the user was last seen leaving; while online, isOnline says the rest.
    /// </summary>
    public Task UserCameOnlineAsync(string userId, IReadOnlyList<string> conversationIds)
    {
        metrics.PresenceChanged(isOnline: true);
        return conversationIds.Count == 0
            ? Task.CompletedTask
            : notifier.PresenceChangedAsync(new ConversationPresence(new PresenceDto(userId, true, clock.UtcNowForStorage()), conversationIds));
    }

    /// <summary>The user's last connection closed here, in these conversations: one write, no read.</summary>
    public async Task UserWentOfflineAsync(string userId, IReadOnlyList<string> conversationIds)
    {
        var now = clock.UtcNowForStorage();
        metrics.PresenceChanged(isOnline: false);
        await RecordLastSeenAsync(userId, now);
        if (conversationIds.Count > 0)
        {
            await notifier.PresenceChangedAsync(new ConversationPresence(new PresenceDto(userId, false, now), conversationIds));
        }
    }

    /// <summary>A user of a node that died: its connections' conversations went with it, so the audience is read from the database.</summary>
    public async Task UserWentOfflineAsync(string userId)
    {
        var now = clock.UtcNowForStorage();
        metrics.PresenceChanged(isOnline: false);
        await RecordLastSeenAsync(userId, now);
        var audience = await conversations.GetContactIdsAsync(userId);
        if (audience.Count > 0)
        {
            await notifier.PresenceChangedAsync(audience, new PresenceDto(userId, false, now));
        }
    }

    public async Task<IReadOnlyList<PresenceDto>> GetAsync(IReadOnlyList<string>? userIds, CancellationToken cancellationToken = default)
    {
        if (userIds is null)
        {
            throw ChatException.InvalidArgument("userIds is required.");
        }

        if (userIds.Count > options.Value.MaxPresenceQuery)
        {
            throw ChatException.PayloadTooLarge($"Ask about at most {options.Value.MaxPresenceQuery} users at once.");
        }

        var distinct = userIds.Select(id => Ids.RequireUserId(id, "userIds")).Distinct(StringComparer.Ordinal).ToList();
        var online = await tracker.GetOnlineUsersAsync(distinct);
        var lastSeen = await db.Presence.AsNoTracking()
            .Where(p => distinct.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, p => p.LastSeenAt, StringComparer.Ordinal, cancellationToken);
        return distinct.ConvertAll(id => new PresenceDto(id, online.Contains(id), lastSeen.TryGetValue(id, out var seen) ? seen : null));
    }

    private async Task RecordLastSeenAsync(string userId, DateTime seenAt)
    {
        var updated = await db.Presence.Where(p => p.UserId == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.LastSeenAt, seenAt));
        if (updated > 0)
        {
            return;
        }

        db.Presence.Add(new UserPresence { UserId = userId, LastSeenAt = seenAt });
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            // Another node inserted the row first; its time is as good as ours.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
