using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Delivery;
using Realtime.Server.Errors;

namespace Realtime.Server.Conversations;

/// <summary>
/// The one direct conversation of each pair of users. The database keeps it one: the pair is a
/// unique key, so whichever node inserts second gets a unique violation and returns the first.
/// </summary>
public sealed class DirectConversations(ChatDbContext db, IChatNotifier notifier, TimeProvider clock)
{
    private readonly ConversationSnapshots _snapshots = new(db, notifier);

    /// <summary>The pair's conversation, created (and announced to both users) on the first call.</summary>
    public async Task<ConversationDto> OpenAsync(string callerId, string? userId, CancellationToken cancellationToken = default)
    {
        var otherId = Ids.RequireUserId(userId);
        if (otherId == callerId)
        {
            throw ChatException.InvalidArgument("A direct conversation is with someone else; userId is your own id.");
        }

        var key = KeyOf(callerId, otherId);
        if (await FindAsync(key, cancellationToken) is { } existing)
        {
            return await _snapshots.ViewForAsync(existing, callerId, cancellationToken);
        }

        var now = clock.UtcNowForStorage();
        var conversation = new Conversation
        {
            Id = Ids.NewId(),
            Title = string.Empty,
            Kind = ConversationKinds.Direct,
            DirectKey = key,
            CreatedAt = now,
        };
        conversation.Members.AddRange(new[] { callerId, otherId }.Select(member => new ConversationMember
        {
            ConversationId = conversation.Id,
            UserId = member,
            JoinedAt = now,
            Role = ConversationRoles.Member,
        }));
        db.Conversations.Add(conversation);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();

            // The other side (or another device) created it at the same moment, on this node or another.
            var winner = await FindAsync(key, cancellationToken);
            if (winner is null)
            {
                throw;
            }

            return await _snapshots.ViewForAsync(winner, callerId, cancellationToken);
        }

        db.ChangeTracker.Clear();
        return await _snapshots.PublishAsync(conversation.Id, callerId, added: [callerId, otherId], removed: [], cancellationToken);
    }

    /// <summary>
    /// The pair in ordinal order around a space, which no user id contains (see <see cref="Ids"/>),
    /// so no two pairs share a key.
    /// </summary>
    public static string KeyOf(string userId, string otherUserId) =>
        string.CompareOrdinal(userId, otherUserId) < 0 ? $"{userId} {otherUserId}" : $"{otherUserId} {userId}";

    private Task<string?> FindAsync(string key, CancellationToken cancellationToken) =>
        db.Conversations.AsNoTracking().Where(c => c.DirectKey == key).Select(c => c.Id).SingleOrDefaultAsync(cancellationToken);
}
