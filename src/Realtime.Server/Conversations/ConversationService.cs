using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Errors;
using Realtime.Server.Delivery;

namespace Realtime.Server.Conversations;

/// <summary>Conversations and their members: who may read, write and manage membership.</summary>
public sealed class ConversationService(
    ChatDbContext db,
    IChatNotifier notifier,
    IOptions<ChatOptions> options,
    TimeProvider clock)
{
    private readonly ChatOptions _limits = options.Value;

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

        return await PublishMembershipChangeAsync(conversation.Id, callerId, added: members, removed: [], cancellationToken);
    }

    public async Task<ConversationDto> AddMemberAsync(string callerId, string conversationId, string userId, CancellationToken cancellationToken = default)
    {
        Ids.RequireConversationId(conversationId);
        Ids.RequireUserId(userId);
        await EnsureMemberAsync(callerId, conversationId, cancellationToken);

        var memberCount = await db.Members.CountAsync(m => m.ConversationId == conversationId, cancellationToken);
        var alreadyMember = await db.Members.AnyAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken);
        if (alreadyMember)
        {
            return await SnapshotForAsync(conversationId, callerId, cancellationToken);
        }

        if (memberCount >= _limits.MaxMembersPerConversation)
        {
            throw ChatException.PayloadTooLarge($"A conversation has at most {_limits.MaxMembersPerConversation} members.");
        }

        // A new member can read the history but starts with nothing unread.
        var lastSequence = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastSequence).SingleAsync(cancellationToken);
        db.Members.Add(new ConversationMember
        {
            ConversationId = conversationId,
            UserId = userId,
            JoinedAt = clock.UtcNowForStorage(),
            LastReadSequence = lastSequence,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (!await db.Members.AnyAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken))
            {
                throw;
            }

            // Someone else added the same member at the same moment: the outcome is the one asked for.
            return await SnapshotForAsync(conversationId, callerId, cancellationToken);
        }

        db.ChangeTracker.Clear();
        return await PublishMembershipChangeAsync(conversationId, callerId, added: [userId], removed: [], cancellationToken);
    }

    public async Task<ConversationDto> RemoveMemberAsync(string callerId, string conversationId, string userId, CancellationToken cancellationToken = default)
    {
        Ids.RequireConversationId(conversationId);
        Ids.RequireUserId(userId);
        await EnsureMemberAsync(callerId, conversationId, cancellationToken);

        var removed = await db.Members
            .Where(m => m.ConversationId == conversationId && m.UserId == userId)
            .ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
        {
            throw ChatException.NotFound($"User '{userId}' is not a member of this conversation.");
        }

        return await PublishMembershipChangeAsync(conversationId, callerId, added: [], removed: [userId], cancellationToken);
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
                Unread = db.Messages.Count(x => x.ConversationId == m.ConversationId && x.Sequence > m.LastReadSequence && x.SenderId != m.UserId && x.DeletedAt == null),
                Members = m.Conversation.Members.OrderBy(x => x.UserId).Select(x => new MemberDto(x.UserId, x.Role)).ToList(),
            })
            .AsSplitQuery()
            .ToListAsync(cancellationToken);

        return rows.ConvertAll(r => new ConversationDto(
            r.Id, r.Title, r.Members.ConvertAll(m => m.UserId), r.CreatedAt, r.LastSequence, r.LastReadSequence, r.Unread, r.Kind, r.Topic, r.LastRevision, r.Members));
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

        throw await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken)
            ? ChatException.NotAMember("You are not a member of this conversation.")
            : ChatException.NotFound("No such conversation.");
    }

    public Task<bool> ExistsAsync(string conversationId, CancellationToken cancellationToken = default) =>
        db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken);

    /// <summary>The user's conversations, each with its last revision (where live delivery to a joining connection starts).</summary>
    /// <remarks>
    /// Not an <c>EF.CompileAsyncQuery</c>: a compiled query keeps the provider of the first context it ran on,
    /// and measured no faster on the connect path.
    /// </remarks>
    public async Task<IReadOnlyList<(string ConversationId, long LastRevision)>> GetMembershipsAsync(string userId, CancellationToken cancellationToken = default) =>
        (await db.Members.AsNoTracking().Where(m => m.UserId == userId)
            .Select(m => new Membership(m.ConversationId, m.Conversation!.LastRevision))
            .ToListAsync(cancellationToken))
        .ConvertAll(m => (m.ConversationId, m.LastRevision));

    private sealed record Membership(string ConversationId, long LastRevision);

    /// <summary>Everyone who shares at least one conversation with <paramref name="userId"/>, the user excluded.</summary>
    public async Task<IReadOnlyList<string>> GetContactIdsAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.Members.AsNoTracking()
            .Where(other => other.UserId != userId
                && db.Members.Any(mine => mine.UserId == userId && mine.ConversationId == other.ConversationId))
            .Select(other => other.UserId)
            .Distinct()
            .ToListAsync(cancellationToken);

    private async Task<ConversationDto> PublishMembershipChangeAsync(
        string conversationId, string callerId, IReadOnlyList<string> added, IReadOnlyList<string> removed, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(conversationId, added, removed, cancellationToken);
        await notifier.MembershipChangedAsync(snapshot);
        return snapshot.ViewOf(callerId);
    }

    private async Task<ConversationDto> SnapshotForAsync(string conversationId, string userId, CancellationToken cancellationToken) =>
        (await SnapshotAsync(conversationId, [], [], cancellationToken)).ViewOf(userId);

    /// <summary>The conversation with every member's own watermark and unread count.</summary>
    private async Task<MembershipChange> SnapshotAsync(
        string conversationId, IReadOnlyList<string> added, IReadOnlyList<string> removed, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking()
            .Where(c => c.Id == conversationId)
            .Select(c => new { c.Id, c.Title, c.CreatedAt, c.LastSequence, c.Kind, c.Topic, c.LastRevision })
            .SingleAsync(cancellationToken);
        var members = await db.Members.AsNoTracking()
            .Where(m => m.ConversationId == conversationId)
            .OrderBy(m => m.UserId)
            .Select(m => new
            {
                m.UserId,
                m.Role,
                m.LastReadSequence,
                Unread = db.Messages.Count(x => x.ConversationId == m.ConversationId && x.Sequence > m.LastReadSequence && x.SenderId != m.UserId && x.DeletedAt == null),
            })
            .ToListAsync(cancellationToken);

        var outsiderView = new ConversationDto(
            conversation.Id, conversation.Title, members.ConvertAll(m => m.UserId), conversation.CreatedAt, conversation.LastSequence, 0, 0,
            conversation.Kind, conversation.Topic, conversation.LastRevision, members.ConvertAll(m => new MemberDto(m.UserId, m.Role)));
        var states = members.ToDictionary(m => m.UserId, m => new MemberReadState(m.LastReadSequence, m.Unread), StringComparer.Ordinal);
        return new MembershipChange(outsiderView, added, removed, states);
    }
}
