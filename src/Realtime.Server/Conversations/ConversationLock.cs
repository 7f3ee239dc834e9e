using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Realtime.Contracts;
using Realtime.Persistence;
using Realtime.Server.Errors;

namespace Realtime.Server.Conversations;

/// <summary>What a member may do in a conversation: its kind and the member's role.</summary>
public sealed record MemberStanding(string Kind, string Role)
{
    public bool IsDirect => Kind == ConversationKinds.Direct;

    public bool IsOwner => Role == ConversationRoles.Owner;

    public bool IsOwnerOrAdmin => Role is ConversationRoles.Owner or ConversationRoles.Admin;

    /// <summary>Refuses a caller who is not a member: <c>not_found</c> for no such conversation, else <c>not_a_member</c>.</summary>
    public static async Task<MemberStanding> RequireAsync(ChatDbContext db, string userId, string conversationId, CancellationToken cancellationToken)
    {
        Ids.RequireConversationId(conversationId);
        var standing = await db.Members.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.UserId == userId)
            .Select(m => new MemberStanding(m.Conversation!.Kind, m.Role))
            .SingleOrDefaultAsync(cancellationToken);
        if (standing is not null)
        {
            return standing;
        }

        throw await RefusalAsync(db, conversationId, cancellationToken);
    }

    /// <summary>For a caller who is not a member: <c>not_found</c> for no such conversation, else <c>not_a_member</c>.</summary>
    public static async Task<ChatException> RefusalAsync(ChatDbContext db, string conversationId, CancellationToken cancellationToken) =>
        await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken)
            ? ChatException.NotAMember("You are not a member of this conversation.")
            : ChatException.NotFound("No such conversation.");
}

/// <summary>
/// A transaction holding the conversation row's lock: membership, role and metadata changes of one
/// conversation run one at a time on every node, so each decides on the roles as they are (two
/// admins removing each other, an owner leaving while an admin is removed) and a group keeps
/// exactly one owner. The caller's standing is read under the lock.
/// </summary>
public sealed class ConversationLock : IAsyncDisposable
{
    private readonly IDbContextTransaction _transaction;

    private ConversationLock(IDbContextTransaction transaction, MemberStanding caller)
    {
        _transaction = transaction;
        Caller = caller;
    }

    public MemberStanding Caller { get; }

    public static async Task<ConversationLock> AcquireAsync(ChatDbContext db, string callerId, string conversationId, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            // A write that changes nothing takes the row lock (SQLite: the database's write lock)
            // with the same statement on every provider.
            await db.Conversations.Where(c => c.Id == conversationId)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.Title, c => c.Title), cancellationToken);
            return new ConversationLock(transaction, await MemberStanding.RequireAsync(db, callerId, conversationId, cancellationToken));
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    /// <summary>Rolls back unless committed.</summary>
    public ValueTask DisposeAsync() => _transaction.DisposeAsync();
}
