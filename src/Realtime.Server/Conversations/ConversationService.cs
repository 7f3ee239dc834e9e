using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Errors;
using Realtime.Server.Delivery;

namespace Realtime.Server.Conversations;

/// <summary>Group conversations and their members: who may read and write, and who may add and remove whom.</summary>
public sealed class ConversationService(
    ChatDbContext db,
    IChatNotifier notifier,
    IOptions<ChatOptions> options,
    TimeProvider clock)
{
    private readonly ChatOptions _limits = options.Value;
    private readonly ConversationSnapshots _snapshots = new(db, notifier);

    public async Task<ConversationDto> CreateAsync(string callerId, string? title, IReadOnlyList<string>? memberIds, CancellationToken cancellationToken = default)
    {
        title = title?.Trim();
        if (string.IsNullOrEmpty(title))
        {
            throw ChatException.InvalidArgument("title is required.");
        }

        if (title.Length > _limits.MaxTitleLength)
        {
            throw ChatException.PayloadTooLarge($"title is longer than {_limits.MaxTitleLength} characters.");
        }

        if (memberIds is null)
        {
            throw ChatException.InvalidArgument("memberIds is required (it may be empty).");
        }

        var members = memberIds.Select(id => Ids.RequireUserId(id, "memberIds")).Append(callerId).Distinct(StringComparer.Ordinal).ToList();
        if (members.Count > _limits.MaxMembersPerConversation)
        {
            throw ChatException.PayloadTooLarge($"A conversation has at most {_limits.MaxMembersPerConversation} members.");
        }

        var now = clock.UtcNowForStorage();
        var conversation = new Conversation { Id = Ids.NewId(), Title = title, CreatedAt = now };
        conversation.Members.AddRange(members.Select(userId => new ConversationMember
        {
            ConversationId = conversation.Id,
            UserId = userId,
            JoinedAt = now,
            Role = userId == callerId ? ConversationRoles.Owner : ConversationRoles.Member,
        }));
        db.Conversations.Add(conversation);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();

        return await _snapshots.PublishAsync(conversation.Id, callerId, added: members, removed: [], cancellationToken);
    }

    /// <summary>Owner or admin of a group: adds a member, who can read the history but starts with nothing unread.</summary>
    public async Task<ConversationDto> AddMemberAsync(string callerId, string conversationId, string userId, CancellationToken cancellationToken = default)
    {
        Ids.RequireConversationId(conversationId);
        Ids.RequireUserId(userId);
        await EnsureMemberAsync(callerId, conversationId, cancellationToken);

        await using (var guard = await ConversationLock.AcquireAsync(db, callerId, conversationId, cancellationToken))
        {
            RequireMayManageMembers(guard.Caller, "add members");
            if (await db.Members.AnyAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken))
            {
                return await _snapshots.ViewForAsync(conversationId, callerId, cancellationToken);
            }

            if (await db.Members.CountAsync(m => m.ConversationId == conversationId, cancellationToken) >= _limits.MaxMembersPerConversation)
            {
                throw ChatException.PayloadTooLarge($"A conversation has at most {_limits.MaxMembersPerConversation} members.");
            }

            var lastSequence = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastSequence).SingleAsync(cancellationToken);
            db.Members.Add(new ConversationMember
            {
                ConversationId = conversationId,
                UserId = userId,
                JoinedAt = clock.UtcNowForStorage(),
                LastReadSequence = lastSequence,
                LastDeliveredSequence = lastSequence,
            });
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            await guard.CommitAsync(cancellationToken);
        }

        return await _snapshots.PublishAsync(conversationId, callerId, added: [userId], removed: [], cancellationToken);
    }

    /// <summary>
    /// Anyone may leave a group; removing someone else needs owner or admin, and nobody removes the
    /// owner. An owner who leaves hands ownership to the longest-standing admin, else member.
    /// </summary>
    public async Task<ConversationDto> RemoveMemberAsync(string callerId, string conversationId, string userId, CancellationToken cancellationToken = default)
    {
        Ids.RequireConversationId(conversationId);
        Ids.RequireUserId(userId);
        await EnsureMemberAsync(callerId, conversationId, cancellationToken);

        var leaving = userId == callerId;
        await using (var guard = await ConversationLock.AcquireAsync(db, callerId, conversationId, cancellationToken))
        {
            if (guard.Caller.IsDirect)
            {
                throw ChatException.Forbidden("A direct conversation always keeps its two members.");
            }

            if (!leaving)
            {
                RequireMayManageMembers(guard.Caller, "remove other members");
            }

            var role = await db.Members
                .Where(m => m.ConversationId == conversationId && m.UserId == userId)
                .Select(m => m.Role)
                .SingleOrDefaultAsync(cancellationToken)
                ?? throw ChatException.NotFound($"User '{userId}' is not a member of this conversation.");
            if (!leaving && role == ConversationRoles.Owner)
            {
                throw ChatException.Forbidden("Nobody may remove the owner of a conversation.");
            }

            await db.Members.Where(m => m.ConversationId == conversationId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            if (role == ConversationRoles.Owner)
            {
                await HandOverOwnershipAsync(conversationId, cancellationToken);
            }

            await guard.CommitAsync(cancellationToken);
        }

        return await _snapshots.PublishAsync(conversationId, callerId, added: [], removed: [userId], cancellationToken);
    }

    public async Task<IReadOnlyList<ConversationDto>> GetForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var rows = await db.Members.AsNoTracking()
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.ConversationId)
            .Select(m => new
            {
                m.Conversation!.Id,
                m.Conversation.Title,
                m.Conversation.CreatedAt,
                m.Conversation.LastSequence,
                m.Conversation.Kind,
                m.Conversation.Topic,
                m.Conversation.LastRevision,
                m.LastReadSequence,
                m.LastDeliveredSequence,
                Unread = db.Messages.Count(x => x.ConversationId == m.ConversationId && x.Sequence > m.LastReadSequence && x.SenderId != m.UserId && x.DeletedAt == null),
                Members = m.Conversation.Members.OrderBy(x => x.UserId).Select(x => new MemberDto(x.UserId, x.Role)).ToList(),
            })
            .AsSplitQuery()
            .ToListAsync(cancellationToken);

        return rows.ConvertAll(r => new ConversationDto(
            r.Id, r.Title, r.Members.ConvertAll(m => m.UserId), r.CreatedAt, r.LastSequence, r.LastReadSequence, r.Unread, r.Kind, r.Topic, r.LastRevision, r.Members, r.LastDeliveredSequence));
    }

    /// <summary>Refuses a caller who is not a member: <c>not_found</c> for no such conversation, else <c>not_a_member</c>.</summary>
    public Task EnsureMemberAsync(string userId, string conversationId, CancellationToken cancellationToken = default) =>
        EnsureMemberAsync(db, userId, conversationId, cancellationToken);

    /// <inheritdoc cref="EnsureMemberAsync(string, string, CancellationToken)"/>
    public static async Task EnsureMemberAsync(ChatDbContext db, string userId, string conversationId, CancellationToken cancellationToken = default)
    {
        Ids.RequireConversationId(conversationId);
        if (await db.Members.AnyAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken))
        {
            return;
        }

        throw await MemberStanding.RefusalAsync(db, conversationId, cancellationToken);
    }

    public Task<bool> ExistsAsync(string conversationId, CancellationToken cancellationToken = default) =>
        db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken);

    /// <summary>The user's conversations, each with its last revision (where live delivery to a joining connection starts).</summary>
    public async Task<IReadOnlyList<(string ConversationId, long LastRevision)>> GetMembershipsAsync(string userId, CancellationToken cancellationToken = default) =>
        await MembershipRead.ReadAsync(db, userId, cancellationToken);

    /// <summary>Everyone who shares at least one conversation with <paramref name="userId"/>, the user excluded.</summary>
    public async Task<IReadOnlyList<string>> GetContactIdsAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.Members.AsNoTracking()
            .Where(other => other.UserId != userId
                && db.Members.Any(mine => mine.UserId == userId && mine.ConversationId == other.ConversationId))
            .Select(other => other.UserId)
            .Distinct()
            .ToListAsync(cancellationToken);

    /// <summary>The longest-standing admin, else the longest-standing member, becomes the owner.</summary>
    private async Task HandOverOwnershipAsync(string conversationId, CancellationToken cancellationToken)
    {
        var heir = await db.Members
            .Where(m => m.ConversationId == conversationId)
            .OrderBy(m => m.Role == ConversationRoles.Admin ? 0 : 1)
            .ThenBy(m => m.JoinedAt)
            .ThenBy(m => m.UserId)
            .Select(m => m.UserId)
            .FirstOrDefaultAsync(cancellationToken);
        if (heir is not null)
        {
            await db.Members.Where(m => m.ConversationId == conversationId && m.UserId == heir)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.Role, ConversationRoles.Owner), cancellationToken);
        }
    }

    private static void RequireMayManageMembers(MemberStanding caller, string what)
    {
        if (caller.IsDirect)
        {
            throw ChatException.Forbidden("A direct conversation always has exactly its two members.");
        }

        if (!caller.IsOwnerOrAdmin)
        {
            throw ChatException.Forbidden($"Only the owner or an admin may {what}.");
        }
    }
}
