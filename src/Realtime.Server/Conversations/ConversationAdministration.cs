using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Delivery;
using Realtime.Server.Errors;

namespace Realtime.Server.Conversations;

/// <summary>A conversation's title and topic, and its members' roles: who may change them, and telling the members.</summary>
public sealed class ConversationAdministration(ChatDbContext db, IChatNotifier notifier, IOptions<ChatOptions> options)
{
    private readonly ChatOptions _limits = options.Value;
    private readonly ConversationSnapshots _snapshots = new(db, notifier);

    /// <summary>Owner or admin (either member of a direct conversation): a null title keeps it, a null topic clears it.</summary>
    public async Task<ConversationDto> UpdateAsync(string callerId, string? conversationId, string? title, string? topic, CancellationToken cancellationToken = default)
    {
        var id = Ids.RequireConversationId(conversationId);
        await ConversationService.EnsureMemberAsync(db, callerId, id, cancellationToken);
        title = title?.Trim();
        if (title is { Length: 0 })
        {
            throw ChatException.InvalidArgument("title cannot be empty; pass null to keep it.");
        }

        if (title?.Length > _limits.MaxTitleLength)
        {
            throw ChatException.PayloadTooLarge($"title is longer than {_limits.MaxTitleLength} characters.");
        }

        topic = topic?.Trim() is { Length: > 0 } trimmed ? trimmed : null;
        if (topic?.Length > _limits.MaxTopicLength)
        {
            throw ChatException.PayloadTooLarge($"topic is longer than {_limits.MaxTopicLength} characters.");
        }

        await using (var guard = await ConversationLock.AcquireAsync(db, callerId, id, cancellationToken))
        {
            if (!guard.Caller.IsDirect && !guard.Caller.IsOwnerOrAdmin)
            {
                throw ChatException.Forbidden("Only the owner or an admin may change the title or topic.");
            }

            var conversation = await db.Conversations.SingleAsync(c => c.Id == id, cancellationToken);
            if ((title is null || title == conversation.Title) && topic == conversation.Topic)
            {
                db.ChangeTracker.Clear();
                return await _snapshots.ViewForAsync(id, callerId, cancellationToken);
            }

            conversation.Title = title ?? conversation.Title;
            conversation.Topic = topic;
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            await guard.CommitAsync(cancellationToken);
        }

        return await _snapshots.PublishAsync(id, callerId, added: [], removed: [], cancellationToken);
    }

    /// <summary>Owner only, in a group: makes a member an admin or an admin a member. Ownership moves only when the owner leaves.</summary>
    public async Task<ConversationDto> SetRoleAsync(string callerId, string? conversationId, string? userId, string? role, CancellationToken cancellationToken = default)
    {
        var id = Ids.RequireConversationId(conversationId);
        var memberId = Ids.RequireUserId(userId);
        await ConversationService.EnsureMemberAsync(db, callerId, id, cancellationToken);
        if (role is not (ConversationRoles.Admin or ConversationRoles.Member))
        {
            throw ChatException.InvalidArgument(role == ConversationRoles.Owner
                ? "role cannot be owner: ownership passes only when the owner leaves. Use admin or member."
                : "role must be admin or member.");
        }

        await using (var guard = await ConversationLock.AcquireAsync(db, callerId, id, cancellationToken))
        {
            if (guard.Caller.IsDirect)
            {
                throw ChatException.Forbidden("Members of a direct conversation have no roles to change.");
            }

            if (!guard.Caller.IsOwner)
            {
                throw ChatException.Forbidden("Only the owner may change roles.");
            }

            if (memberId == callerId)
            {
                throw ChatException.Forbidden("The owner cannot change their own role; ownership passes when the owner leaves.");
            }

            var member = await db.Members.SingleOrDefaultAsync(m => m.ConversationId == id && m.UserId == memberId, cancellationToken)
                ?? throw ChatException.NotFound($"User '{memberId}' is not a member of this conversation.");
            if (member.Role == role)
            {
                db.ChangeTracker.Clear();
                return await _snapshots.ViewForAsync(id, callerId, cancellationToken);
            }

            member.Role = role;
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            await guard.CommitAsync(cancellationToken);
        }

        return await _snapshots.PublishAsync(id, callerId, added: [], removed: [], cancellationToken);
    }
}
