using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Realtime.Persistence;

namespace Realtime.Server.Messages;

/// <summary>
/// The reads of a batch of changes, compiled once: EF Core would otherwise walk and hash each query's
/// expression tree on every batch, which cost more than the statements themselves. A compiled query
/// belongs to one model, so there is a set per model (one per database provider).
/// </summary>
internal sealed class ChangeReads
{
    private static readonly ConcurrentDictionary<IModel, ChangeReads> ByModel = new();

    public Func<ChatDbContext, List<string>, IAsyncEnumerable<string>> Conversations { get; } =
        EF.CompileAsyncQuery((ChatDbContext db, List<string> ids) => db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => c.Id));

    public Func<ChatDbContext, List<string>, List<string>, IAsyncEnumerable<ConversationMember>> Members { get; } =
        EF.CompileAsyncQuery((ChatDbContext db, List<string> conversations, List<string> users) =>
            db.Members.AsNoTracking().Where(m => conversations.Contains(m.ConversationId) && users.Contains(m.UserId)));

    public Func<ChatDbContext, List<string>, IAsyncEnumerable<Message>> Messages { get; } =
        EF.CompileAsyncQuery((ChatDbContext db, List<string> ids) => db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id)));

    public Func<ChatDbContext, List<string>, IAsyncEnumerable<Reaction>> Reactions { get; } =
        EF.CompileAsyncQuery((ChatDbContext db, List<string> ids) => db.Reactions.AsNoTracking().Where(r => ids.Contains(r.MessageId)).OrderBy(r => r.Revision).AsQueryable());

    public static ChangeReads For(ChatDbContext db) => ByModel.GetOrAdd(db.Model, _ => new ChangeReads());
}
