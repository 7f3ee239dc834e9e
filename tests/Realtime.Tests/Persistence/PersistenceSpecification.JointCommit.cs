using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Realtime.Persistence;
using Realtime.Server;
using Realtime.Server.Messages;

namespace Realtime.Tests.Persistence;

/// <summary>A batch carrying both sends and changes: one transaction on SQLite, its halves apart elsewhere.</summary>
public abstract partial class PersistenceSpecification
{
    [Fact]
    public async Task A_batch_of_sends_and_changes_commits_as_one_on_SQLite_and_an_outsiders_send_among_them_rolls_it_all_back()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "joint", ["bob"]);
        var first = (await store.Messages.SendAsync("alice", conversation.Id, "j1", "first")).Message;
        var joint = new JointCommit(
            WriterScopes(),
            new SendCommit(WriterScopes(), TimeProvider.System, NullLogger.Instance),
            new ChangeCommit(WriterScopes(), Options.Create(new ChatOptions()), TimeProvider.System, NullLogger<ChangeCommit>.Instance),
            NullLogger.Instance);

        var together = await joint.TryCommitAsync(
            [new PendingMessage("bob", conversation.Id, "j2", "second"), new PendingMessage("bob", conversation.Id, "j2", "second")],
            [new PendingChange(ChangeKind.AddReaction, "bob", conversation.Id, first.Id, Emoji: "👍"),
             new PendingChange(ChangeKind.Edit, "alice", conversation.Id, first.Id, Content: "first, edited")]);

        var db = NewContext();
        if (Provider != DatabaseProvider.Sqlite)
        {
            together.Should().BeNull("nodes write a server database at once, so the halves commit apart");
            (await db.Conversations.SingleAsync(c => c.Id == conversation.Id)).LastRevision.Should().Be(1, "a batch not taken writes nothing");
            return;
        }

        together.Should().NotBeNull();
        var (sent, changed) = together!.Value;
        sent.Should().ContainSingle().Which.Value.Message.Should().Match<Realtime.Contracts.MessageDto>(m => m.Sequence == 2 && m.Revision == 2 && m.Content == "second");
        changed.Select(c => c.Error).Should().AllBeEquivalentTo((Exception?)null);
        changed.Select(c => c.Result!.Message.Revision).Should().Equal(3, 4);
        changed[1].Result!.Message.Should().Match<Realtime.Contracts.MessageDto>(m => m.Content == "first, edited" && m.Reactions.Count == 1);
        var row = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversation.Id);
        (row.LastSequence, row.LastRevision).Should().Be((2, 4));

        var refused = await joint.TryCommitAsync(
            [new PendingMessage("bob", conversation.Id, "j3", "fine"), new PendingMessage("mallory", conversation.Id, "j4", "outsider")],
            [new PendingChange(ChangeKind.AddReaction, "alice", conversation.Id, first.Id, Emoji: "🎉")]);

        refused.Should().BeNull("the outsider's send is refused alone, the usual way, which says why");
        row = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversation.Id);
        (row.LastSequence, row.LastRevision).Should().Be((2, 4), "nothing of the batch was kept");
        (await db.Messages.AnyAsync(m => m.ClientMessageId == "j3")).Should().BeFalse();
        (await db.Reactions.AnyAsync(r => r.MessageId == first.Id && r.Emoji == "🎉")).Should().BeFalse();
    }
}
