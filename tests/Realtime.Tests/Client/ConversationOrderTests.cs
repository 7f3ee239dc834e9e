using Realtime.Client.Sync;
using Realtime.Contracts;

namespace Realtime.Tests.Client;

/// <summary>The SDK's ordering on its own: what live delivery and reads hand it, and what the application gets.</summary>
public sealed class ConversationOrderTests
{
    private const string Conversation = "c1";

    [Fact]
    public void Messages_arriving_out_of_order_and_twice_are_handed_on_once_each_in_sequence_order()
    {
        var order = new ConversationOrder(Conversation, SyncPosition.Start);
        var handedOn = new List<OrderedChange>();

        foreach (var sequence in new long[] { 2, 1, 1, 4, 2, 3, 3, 5, 4 })
        {
            handedOn.AddRange(order.AcceptLive(Message(sequence)));
        }

        handedOn.Select(c => c.Message.Sequence).Should().Equal(1, 2, 3, 4, 5);
        handedOn.Should().OnlyContain(c => c.IsNew);
        order.Position.Should().Be(new SyncPosition(5, 5));
        order.HasGap.Should().BeFalse();
    }

    [Fact]
    public void A_live_message_after_a_gap_is_held_back_until_a_read_fills_the_gap()
    {
        var order = new ConversationOrder(Conversation, new SyncPosition(3, 3));

        order.AcceptLive(Message(6)).Should().BeEmpty("4 and 5 are missing");
        order.AcceptLive(Message(7)).Should().BeEmpty();
        order.HasGap.Should().BeTrue();
        order.HighestRevision.Should().Be(7);

        var released = order.AcceptRead([Message(4), Message(5), Message(6)]);

        released.Select(c => c.Message.Sequence).Should().Equal(4, 5, 6, 7);
        order.HasGap.Should().BeFalse();
        order.Position.Should().Be(new SyncPosition(7, 7));
    }

    [Fact]
    public void A_read_page_that_overlaps_what_was_handed_on_hands_on_only_what_is_new()
    {
        var order = new ConversationOrder(Conversation, SyncPosition.Start);
        order.AcceptLive(Message(1)).Should().HaveCount(1);
        order.AcceptLive(Message(2)).Should().HaveCount(1);

        order.AcceptRead([Message(1), Message(2), Message(3)]).Select(c => c.Message.Sequence).Should().Equal(3);
        order.AcceptLive(Message(3)).Should().BeEmpty("3 came with the read");
        order.AcceptRead([]).Should().BeEmpty();
    }

    [Fact]
    public void An_edit_of_a_message_handed_on_is_an_update_and_an_old_revision_of_it_again_is_dropped()
    {
        var order = new ConversationOrder(Conversation, SyncPosition.Start);
        order.AcceptLive(Message(1));
        order.AcceptLive(Message(2));

        var edit = Message(1, revision: 3, content: "edited");
        order.AcceptLive(edit).Should().Equal(new OrderedChange(edit, IsNew: false));
        order.AcceptLive(Message(1)).Should().BeEmpty();
        order.AcceptLive(edit).Should().BeEmpty();
        order.Position.Should().Be(new SyncPosition(2, 3));
    }

    [Fact]
    public void A_read_that_returns_a_later_edited_message_after_newer_ones_still_hands_new_messages_on_in_sequence_order()
    {
        // While away: 2 and 3 were sent (revisions 2, 3), then 2 was edited (revision 4). GetChanges returns
        // them by revision: 3 (rev 3), then 2 in its current state (rev 4); on two pages.
        var order = new ConversationOrder(Conversation, new SyncPosition(1, 1));

        order.AcceptRead([Message(3, revision: 3)]).Should().BeEmpty("2 comes before 3");
        order.HasGap.Should().BeTrue();
        var released = order.AcceptRead([Message(2, revision: 4, content: "edited")]);

        released.Select(c => (c.Message.Sequence, c.Message.Content, c.IsNew)).Should().Equal((2L, "edited", true), (3L, "message 3", true));
        order.Position.Should().Be(new SyncPosition(3, 4));
        order.HasGap.Should().BeFalse();
    }

    [Fact]
    public void A_read_covers_the_revisions_it_skips_so_live_delivery_goes_on_after_it()
    {
        var order = new ConversationOrder(Conversation, new SyncPosition(1, 1));

        // Revisions 2 and 3 were superseded by 5; the read returns only 4 and 5.
        order.AcceptRead([Message(2, revision: 4), Message(3, revision: 5)]).Should().HaveCount(2);
        order.Position.Should().Be(new SyncPosition(3, 5));
        order.AcceptLive(Message(4, revision: 6)).Should().ContainSingle();
    }

    [Fact]
    public void Messages_of_another_conversation_or_at_or_below_the_start_are_ignored()
    {
        var order = new ConversationOrder(Conversation, new SyncPosition(10, 10));

        order.AcceptLive(Message(11) with { ConversationId = "c2" }).Should().BeEmpty();
        order.AcceptLive(Message(10)).Should().BeEmpty();
        order.AcceptLive(Message(9)).Should().BeEmpty();
        order.HasGap.Should().BeFalse();
        order.AcceptLive(Message(11)).Should().ContainSingle();
    }

    [Fact]
    public void A_shuffled_log_delivered_live_twice_with_random_reads_comes_out_whole_once_and_in_order()
    {
        var random = new Random(23);
        const int Count = 500;
        var log = Enumerable.Range(1, Count).Select(i => Message(i)).ToList();
        var order = new ConversationOrder(Conversation, SyncPosition.Start);
        var handedOn = new List<OrderedChange>();

        // Every message arrives live twice in a random order; a quarter never arrives live at all.
        var live = log.Concat(log).Where(m => m.Sequence % 4 != 0).OrderBy(_ => random.Next()).ToList();
        foreach (var message in live)
        {
            handedOn.AddRange(order.AcceptLive(message));
            if (order.HasGap && random.Next(20) == 0)
            {
                // What a resync does: read a page after the position.
                var after = order.Position.Revision;
                handedOn.AddRange(order.AcceptRead(log.Where(m => m.Revision > after).Take(random.Next(1, 30)).ToList()));
            }
        }

        while (order.Position.Revision < Count)
        {
            var after = order.Position.Revision;
            handedOn.AddRange(order.AcceptRead(log.Where(m => m.Revision > after).Take(50).ToList()));
        }

        handedOn.Select(c => c.Message.Sequence).Should().Equal(Enumerable.Range(1, Count).Select(i => (long)i));
    }

    private static MessageDto Message(long sequence, long? revision = null, string? content = null) =>
        new($"m{sequence}", Conversation, sequence, "alice", $"client-{sequence}", content ?? $"message {sequence}", DateTime.UnixEpoch,
            revision ?? sequence, null, null, null, []);
}
