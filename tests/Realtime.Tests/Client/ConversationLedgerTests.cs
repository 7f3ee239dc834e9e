using Realtime.Client.Sync;
using Realtime.Contracts;

namespace Realtime.Tests.Client;

public sealed class ConversationLedgerTests
{
    [Fact]
    public void Reconciling_joins_new_conversations_leaves_missing_ones_and_names_those_behind_with_their_target()
    {
        var ledger = new ConversationLedger();
        ledger.Join("kept", 5).Should().BeTrue();
        ledger.Join("gone", 2).Should().BeTrue();
        ledger.Join("current", 7).Should().BeTrue();

        var result = ledger.Reconcile([Conversation("kept", 9), Conversation("current", 7), Conversation("new", 3)], _ => 0);

        result.Joined.Select(c => c.Id).Should().Equal("new");
        result.Left.Should().Equal("gone");
        result.Behind.Should().BeEquivalentTo([new CatchUpTarget("kept", 9), new CatchUpTarget("new", 3)]);
        ledger.Active.Should().BeEquivalentTo(["kept", "current", "new"]);
    }

    [Fact]
    public void A_conversation_with_a_held_back_message_is_behind_up_to_that_message()
    {
        var ledger = new ConversationLedger();
        ledger.Join("c", 1);
        ledger.Find("c")!.AcceptLive(new MessageDto("m4", "c", 4, "bob", "x", "hi", DateTime.UnixEpoch));

        var result = ledger.Reconcile([Conversation("c", 2)], _ => 0);

        result.Behind.Should().Equal(new CatchUpTarget("c", 4));
    }

    [Fact]
    public void Coming_back_to_a_left_conversation_resumes_where_it_stood()
    {
        var ledger = new ConversationLedger();
        ledger.Join("c", 8);
        ledger.Leave("c").Should().BeTrue();
        ledger.HasLeft("c").Should().BeTrue();
        ledger.Find("c").Should().BeNull();

        ledger.Join("c", 0).Should().BeTrue();

        ledger.Positions.Should().Equal(new Dictionary<string, long> { ["c"] = 8 });
        ledger.Join("c", 0).Should().BeFalse("it is followed already");
    }

    private static ConversationDto Conversation(string id, long lastSequence) =>
        new(id, id, ["alice"], DateTime.UnixEpoch, lastSequence, 0, 0);
}
