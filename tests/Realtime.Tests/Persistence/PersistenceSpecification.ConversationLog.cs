using Microsoft.EntityFrameworkCore;
using Realtime.Contracts;
using Realtime.Server.Messages;

namespace Realtime.Tests.Persistence;

/// <summary>The conversation log (contract v2): edits, deletes and reactions, each taking the next revision.</summary>
public abstract partial class PersistenceSpecification
{
    [Fact]
    public async Task Four_concurrent_writers_mixing_sends_edits_and_reactions_take_revisions_one_to_n_with_no_gap()
    {
        const int writers = 4;
        const int rounds = 40;
        var conversation = await NewStore().Conversations.CreateAsync("w0", "mixed", ["w1", "w2", "w3"]);
        var stores = Enumerable.Range(0, writers).Select(_ => NewStore()).ToList();

        // Each writer has its own context, connection and message writer, so only the database orders them.
        await Task.WhenAll(stores.Select((store, w) => Task.Run(async () =>
        {
            for (var i = 0; i < rounds; i++)
            {
                var sent = (await store.Messages.SendAsync($"w{w}", conversation.Id, $"w{w}-{i}", $"{w}:{i}")).Message;
                await store.Changes.EditAsync($"w{w}", conversation.Id, sent.Id, $"{w}:{i} edited");
                var others = await store.Messages.GetHistoryAsync($"w{w}", conversation.Id, null, 5);
                await Task.WhenAll(others.Select(m => store.Changes.ReactAsync($"w{w}", conversation.Id, m.Id, i % 2 == 0 ? "👍" : "🎉", add: true)));
            }
        })));

        var db = NewContext();
        var lastRevision = (await db.Conversations.SingleAsync(c => c.Id == conversation.Id)).LastRevision;
        var published = stores.SelectMany(s => s.Notifier.Entries).Where(e => e.ConversationId == conversation.Id).Select(e => e.Revision).ToList();
        published.Should().OnlyHaveUniqueItems("each revision is taken once");
        published.Order().Should().Equal(Enumerable.Range(1, (int)lastRevision).Select(i => (long)i), "every change that changed something took the next revision, across writers");
        (await db.Messages.Where(m => m.ConversationId == conversation.Id).Select(m => m.Content).ToListAsync())
            .Should().HaveCount(writers * rounds).And.OnlyContain(c => c.EndsWith(" edited", StringComparison.Ordinal));

        var changes = await stores[0].Messages.GetChangesAsync("w0", conversation.Id, 0, 1000);
        changes.Select(m => m.Revision).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        changes.Select(m => m.Id).Should().OnlyHaveUniqueItems("GetChanges returns each message once, in its current state");
        changes.Should().HaveCount(writers * rounds);
        changes.Max(m => m.Revision).Should().Be(lastRevision);
    }

    [Fact]
    public async Task A_reaction_added_twice_or_removed_when_absent_changes_nothing_and_takes_no_revision()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "reactions", ["bob"]);
        var message = (await store.Messages.SendAsync("alice", conversation.Id, "r1", "hello")).Message;

        var first = await store.Changes.ReactAsync("bob", conversation.Id, message.Id, "👍", add: true);
        var again = await store.Changes.ReactAsync("bob", conversation.Id, message.Id, "👍", add: true);
        var absent = await store.Changes.ReactAsync("bob", conversation.Id, message.Id, "🎉", add: false);
        var second = await store.Changes.ReactAsync("alice", conversation.Id, message.Id, "🎉", add: true);
        var third = await store.Changes.ReactAsync("alice", conversation.Id, message.Id, "👍", add: true);

        first.Changed.Should().BeTrue();
        first.Message.Revision.Should().Be(message.Revision + 1);
        again.Should().Be(new ChangeResult(first.Message, Changed: false));
        absent.Should().Be(new ChangeResult(first.Message, Changed: false));
        third.Message.Revision.Should().Be(message.Revision + 3);
        third.Message.Reactions.Should().Equal(new ReactionDto("👍", ["bob", "alice"]), new ReactionDto("🎉", ["alice"]));
        second.Message.Reactions.Should().Equal(new ReactionDto("👍", ["bob"]), new ReactionDto("🎉", ["alice"]));

        var removed = await store.Changes.ReactAsync("bob", conversation.Id, message.Id, "👍", add: false);
        // Order of first use among the reactions there now: alice's 🎉 came before her 👍.
        removed.Message.Reactions.Should().Equal(new ReactionDto("🎉", ["alice"]), new ReactionDto("👍", ["alice"]));
        (await NewContext().Reactions.CountAsync(r => r.MessageId == message.Id)).Should().Be(2);
        store.Notifier.Entries.Where(e => e.IsUpdate).Select(e => e.Revision).Should().Equal(Range(2, 5));
    }

    [Fact]
    public async Task A_deleted_message_keeps_its_place_and_loses_its_content_and_reactions()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "tombstones", ["bob"]);
        var message = (await store.Messages.SendAsync("alice", conversation.Id, "t1", "oops")).Message;
        var next = (await store.Messages.SendAsync("bob", conversation.Id, "t2", "after")).Message;
        await store.Changes.ReactAsync("bob", conversation.Id, message.Id, "😮", add: true);

        var deleted = (await store.Changes.DeleteAsync("alice", conversation.Id, message.Id)).Message;
        deleted.Should().BeEquivalentTo(message with { Content = "", Revision = 4, DeletedAt = deleted.DeletedAt, Reactions = [] });
        deleted.DeletedAt.Should().NotBeNull();
        (await store.Changes.DeleteAsync("alice", conversation.Id, message.Id)).Should().Be(new ChangeResult(deleted, Changed: false));

        (await store.Messages.GetMessagesAsync("bob", conversation.Id, 0, 10)).Should().Equal(deleted, next);
        var row = await NewContext().Messages.SingleAsync(m => m.Id == message.Id);
        row.Content.Should().BeEmpty("the stored row loses its content, not only the view");
        (await NewContext().Reactions.AnyAsync(r => r.MessageId == message.Id)).Should().BeFalse();

        await Refused(() => store.Changes.EditAsync("alice", conversation.Id, message.Id, "again"), "invalid_argument");
        await Refused(() => store.Changes.ReactAsync("bob", conversation.Id, message.Id, "👍", add: true), "invalid_argument");
        await Refused(() => store.Changes.DeleteAsync("bob", conversation.Id, message.Id), "forbidden");
        (await store.Messages.SendAsync("bob", conversation.Id, "t3", "a reply to a tombstone", message.Id)).Message.ReplyToMessageId.Should().Be(message.Id);
    }

    [Fact]
    public async Task Only_the_sender_edits_and_the_sender_or_the_owner_deletes()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("owner", "rules", ["bob", "carol"]);
        var bobs = (await store.Messages.SendAsync("bob", conversation.Id, "b1", "bob's")).Message;

        await Refused(() => store.Changes.EditAsync("carol", conversation.Id, bobs.Id, "not mine"), "forbidden");
        await Refused(() => store.Changes.EditAsync("owner", conversation.Id, bobs.Id, "not mine either"), "forbidden");
        await Refused(() => store.Changes.DeleteAsync("carol", conversation.Id, bobs.Id), "forbidden");
        await Refused(() => store.Changes.EditAsync("mallory", conversation.Id, bobs.Id, "outsider"), "not_a_member");
        await Refused(() => store.Changes.DeleteAsync("mallory", conversation.Id, "no-such-message"), "not_a_member");
        await Refused(() => store.Changes.DeleteAsync("carol", conversation.Id, "no-such-message"), "not_found");
        await Refused(() => store.Changes.ReactAsync("carol", conversation.Id, bobs.Id, "two words", add: true), "invalid_argument");
        await Refused(() => store.Messages.SendAsync("bob", conversation.Id, "b2", "reply", "no-such-message"), "not_found");

        var edited = (await store.Changes.EditAsync("bob", conversation.Id, bobs.Id, "bob's, edited")).Message;
        edited.Content.Should().Be("bob's, edited");
        edited.EditedAt.Should().NotBeNull();
        (await store.Changes.DeleteAsync("owner", conversation.Id, bobs.Id)).Message.DeletedAt.Should().NotBeNull();
        (await NewContext().Conversations.SingleAsync(c => c.Id == conversation.Id)).LastRevision.Should().Be(3, "refusals take no revision");
    }

    [Fact]
    public async Task GetChanges_returns_every_changed_message_once_in_its_current_state_by_revision()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "changes", ["bob"]);
        var one = (await store.Messages.SendAsync("alice", conversation.Id, "g1", "one")).Message;
        var two = (await store.Messages.SendAsync("bob", conversation.Id, "g2", "two")).Message;
        await store.Changes.EditAsync("alice", conversation.Id, one.Id, "one, edited");
        var reacted = (await store.Changes.ReactAsync("alice", conversation.Id, two.Id, "👍", add: true)).Message;
        var edited = (await store.Changes.EditAsync("alice", conversation.Id, one.Id, "one, edited twice")).Message;

        (await store.Messages.GetChangesAsync("bob", conversation.Id, 0, 10)).Should().Equal(reacted, edited);
        (await store.Messages.GetChangesAsync("bob", conversation.Id, reacted.Revision, 10)).Should().Equal(edited);
        (await store.Messages.GetChangesAsync("bob", conversation.Id, edited.Revision, 10)).Should().BeEmpty();
        (await store.Messages.GetChangesAsync("bob", conversation.Id, 0, 1)).Should().Equal(reacted);
        await Refused(() => store.Messages.GetChangesAsync("mallory", conversation.Id, 0, 10), "not_a_member");
        (await store.Conversations.GetForUserAsync("bob")).Single().LastRevision.Should().Be(edited.Revision);
    }
}
