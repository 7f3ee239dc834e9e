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
        var order = new ConversationOrder(Conversation, deliveredThrough: 0);
        var handedOn = new List<long>();

        foreach (var sequence in new long[] { 2, 1, 1, 4, 2, 3, 3, 5, 4 })
        {
            handedOn.AddRange(order.AcceptLive(Message(sequence)).Select(m => m.Sequence));
        }

        handedOn.Should().Equal(1, 2, 3, 4, 5);
        order.DeliveredThrough.Should().Be(5);
        order.HasGap.Should().BeFalse();
    }

    [Fact]
    public void A_live_message_after_a_gap_is_held_back_until_a_read_fills_the_gap()
    {
        var order = new ConversationOrder(Conversation, deliveredThrough: 3);

        order.AcceptLive(Message(6)).Should().BeEmpty("4 and 5 are missing");
        order.AcceptLive(Message(7)).Should().BeEmpty();
        order.HasGap.Should().BeTrue();
        order.HighestSeen.Should().Be(7);

        var released = order.AcceptRead([Message(4), Message(5), Message(6)]);

        released.Select(m => m.Sequence).Should().Equal(4, 5, 6, 7);
        order.HasGap.Should().BeFalse();
        order.DeliveredThrough.Should().Be(7);
    }

    [Fact]
    public void A_read_page_that_overlaps_what_was_handed_on_hands_on_only_what_is_new()
    {
        var order = new ConversationOrder(Conversation, deliveredThrough: 0);
        order.AcceptLive(Message(1)).Should().HaveCount(1);
        order.AcceptLive(Message(2)).Should().HaveCount(1);

        order.AcceptRead([Message(1), Message(2), Message(3)]).Select(m => m.Sequence).Should().Equal(3);
        order.AcceptLive(Message(3)).Should().BeEmpty("3 came with the read");
        order.AcceptRead([]).Should().BeEmpty();
    }

    [Fact]
    public void The_first_copy_of_a_sequence_is_the_one_handed_on()
    {
        var order = new ConversationOrder(Conversation, deliveredThrough: 0);
        order.AcceptLive(Message(2, "first")).Should().BeEmpty();

        var released = order.AcceptRead([Message(1), Message(2, "second")]);

        released.Select(m => m.Content).Should().Equal("message 1", "first");
    }

    [Fact]
    public void Messages_of_another_conversation_or_at_or_below_the_start_are_ignored()
    {
        var order = new ConversationOrder(Conversation, deliveredThrough: 10);

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
        var order = new ConversationOrder(Conversation, deliveredThrough: 0);
        var handedOn = new List<MessageDto>();

        // Every message arrives live twice in a random order; a quarter never arrives live at all.
        var live = log.Concat(log).Where(m => m.Sequence % 4 != 0).OrderBy(_ => random.Next()).ToList();
        foreach (var message in live)
        {
            handedOn.AddRange(order.AcceptLive(message));
            if (order.HasGap && random.Next(20) == 0)
            {
                // What a resync does: read a page after what was handed on.
                var after = order.DeliveredThrough;
                handedOn.AddRange(order.AcceptRead(log.Where(m => m.Sequence > after).Take(random.Next(1, 30)).ToList()));
            }
        }

        while (order.DeliveredThrough < Count)
        {
            var after = order.DeliveredThrough;
            handedOn.AddRange(order.AcceptRead(log.Where(m => m.Sequence > after).Take(50).ToList()));
        }

        handedOn.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, Count).Select(i => (long)i));
    }

    private static MessageDto Message(long sequence, string? content = null) =>
        new($"m{sequence}", Conversation, sequence, "alice", $"client-{sequence}", content ?? $"message {sequence}", DateTime.UnixEpoch);
}
