using Realtime.Client.Sync;
using Realtime.Contracts;

namespace Realtime.Tests.Client;

public sealed class ConversationLedgerTests
{
    [Fact]
    public void Reconciling_joins_new_conversations_leaves_missing_ones_and_names_those_behind_with_the_revision_to_reach()
    {
        var ledger = new ConversationLedger();
        ledger.Join("kept", new SyncPosition(5, 5)).Should().BeTrue();
        ledger.Join("gone", new SyncPosition(2, 2)).Should().BeTrue();
        ledger.Join("current", new SyncPosition(7, 7)).Should().BeTrue();

        var result = ledger.Reconcile([Conversation("kept", 9), Conversation("current", 7), Conversation("new", 3)], _ => SyncPosition.Start);

        result.Joined.Select(c => c.Id).Should().Equal("new");
        result.Left.Should().Equal("gone");
        result.Behind.Should().BeEquivalentTo([new CatchUpTarget("kept", 9), new CatchUpTarget("new", 3)]);
        ledger.Active.Should().BeEquivalentTo(["kept", "current", "new"]);
    }

    [Fact]
    public void A_conversation_with_a_held_back_message_is_behind_up_to_that_message()
    {
        var ledger = new ConversationLedger();
        ledger.Join("c", new SyncPosition(1, 1));
        ledger.Find("c")!.AcceptLive(new MessageDto("m4", "c", 4, "bob", "x", "hi", DateTime.UnixEpoch, 4, null, null, null, []));

        var result = ledger.Reconcile([Conversation("c", 2)], _ => SyncPosition.Start);

        result.Behind.Should().Equal(new CatchUpTarget("c", 4));
    }

    [Fact]
    public void Coming_back_to_a_left_conversation_resumes_where_it_stood()
    {
        var ledger = new ConversationLedger();
        ledger.Join("c", new SyncPosition(8, 9));
        ledger.Leave("c").Should().BeTrue();
        ledger.HasLeft("c").Should().BeTrue();
        ledger.Find("c").Should().BeNull();

        ledger.Join("c", SyncPosition.Start).Should().BeTrue();

        ledger.Positions.Should().Equal(new Dictionary<string, SyncPosition> { ["c"] = new(8, 9) });
        ledger.Join("c", SyncPosition.Start).Should().BeFalse("it is followed already");
    }

    private static ConversationDto Conversation(string id, long lastRevision) =>
        new(id, id, ["alice"], DateTime.UnixEpoch, lastRevision, 0, 0, ConversationKinds.Group, null, lastRevision, [new MemberDto("alice", ConversationRoles.Owner)], 0);
}
