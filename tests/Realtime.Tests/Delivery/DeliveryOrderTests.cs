using Microsoft.Extensions.Time.Testing;
using Realtime.Server.Delivery;

namespace Realtime.Tests.Delivery;

public sealed class DeliveryOrderTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _clock = new();
    private readonly List<GapPassedOver> _passedOver = [];
    private readonly DeliveryOrder<string> _order;

    public DeliveryOrderTests() => _order = new DeliveryOrder<string>(_clock, new DeliveryOrderOptions(Wait, MaxGapFill: 10), _passedOver.Add);

    private List<string> Admit(params long[] positions)
    {
        var ready = new List<string>();
        foreach (var position in positions)
        {
            _order.Admit("c", position, $"m{position}", ready);
        }

        return ready;
    }

    private List<string> Fill(GapRead read, params long[] positions)
    {
        var ready = new List<string>();
        _order.Filled(read, positions.Select(p => (p, $"m{p}")).ToList(), ready);
        return ready;
    }

    private IReadOnlyList<GapRead> DueReads(List<string>? ready = null) => _order.TakeDueReads(ready ?? []);

    [Fact]
    public void Items_in_order_go_out_at_once()
    {
        _order.Track("c", 0);

        Admit(1, 2, 3).Should().Equal("m1", "m2", "m3");
        _order.NextDue().Should().BeNull();
    }

    [Fact]
    public void An_item_ahead_of_a_gap_is_held_until_the_gap_fills_then_both_go_out_in_order()
    {
        _order.Track("c", 0);

        Admit(1, 3).Should().Equal("m1");
        Admit(2).Should().Equal("m2", "m3");
        _order.NextDue().Should().BeNull();
    }

    [Fact]
    public void An_item_at_or_below_what_went_out_is_dropped_as_a_duplicate()
    {
        _order.Track("c", 0);

        Admit(1, 2, 2, 1).Should().Equal("m1", "m2");
    }

    [Fact]
    public void Items_of_a_conversation_with_no_member_here_are_dropped()
    {
        Admit(1).Should().BeEmpty();

        _order.Track("c", 1);
        _order.Untrack("c");
        Admit(2).Should().BeEmpty();
        _order.TrackedCount.Should().Be(0);
    }

    [Fact]
    public void A_conversation_joined_at_a_position_delivers_only_what_comes_after_it()
    {
        _order.Track("c", 5);

        Admit(4, 5, 6).Should().Equal("m6");
    }

    [Fact]
    public void A_conversation_joined_without_a_position_starts_at_its_first_item_and_a_second_join_keeps_its_place()
    {
        _order.Track("c", null);
        Admit(7).Should().Equal("m7");

        _order.Track("c", 2);
        Admit(8).Should().Equal("m8");
    }

    [Fact]
    public void A_gap_is_read_back_only_once_its_wait_is_over()
    {
        _order.Track("c", 0);
        Admit(1, 4);

        _order.NextDue().Should().Be(Wait);
        DueReads().Should().BeEmpty();

        _clock.Advance(Wait);
        var read = DueReads().Should().ContainSingle().Subject;
        (read.ConversationId, read.After, read.UpTo).Should().Be(("c", 1L, 3L));
        DueReads().Should().BeEmpty("a gap being read is not read again");
        _order.NextDue().Should().BeNull();
    }

    [Fact]
    public void What_a_read_back_finds_goes_out_in_order_before_what_was_held_and_its_late_publish_is_dropped()
    {
        _order.Track("c", 0);
        Admit(1, 4, 5);
        _clock.Advance(Wait);
        var read = DueReads().Single();

        Fill(read, 2, 3).Should().Equal("m2", "m3", "m4", "m5");
        Admit(2, 3).Should().BeEmpty();
        _passedOver.Should().BeEmpty();
    }

    [Fact]
    public void A_read_back_that_fails_passes_the_gap_over_and_delivery_carries_on()
    {
        _order.Track("c", 0);
        Admit(1, 4);
        _clock.Advance(Wait);
        var read = DueReads().Single();

        var ready = new List<string>();
        _order.Filled(read, null, ready);

        ready.Should().Equal("m4");
        _passedOver.Should().Equal(new GapPassedOver("c", 1, 3));
        Admit(5).Should().Equal("m5");
    }

    [Fact]
    public void A_read_back_that_finds_fewer_items_than_the_gap_closes_it_since_the_rest_were_superseded()
    {
        _order.Track("c", 0);
        Admit(1, 5);
        _clock.Advance(Wait);

        // Positions 2 and 4 were changes to messages changed again since: the database holds them at 3 and 5.
        Fill(DueReads().Single(), 3).Should().Equal("m3", "m5");
        _passedOver.Should().BeEmpty();
        Admit(6).Should().Equal("m6");
    }

    [Fact]
    public void A_gap_wider_than_the_widest_read_back_is_passed_over_without_a_read()
    {
        _order.Track("c", 0);
        Admit(1, 20);
        _clock.Advance(Wait);

        var ready = new List<string>();
        DueReads(ready).Should().BeEmpty();

        ready.Should().Equal("m20");
        _passedOver.Should().Equal(new GapPassedOver("c", 1, 19));
    }

    [Fact]
    public void Progress_through_a_gap_starts_its_wait_again()
    {
        _order.Track("c", 0);
        Admit(1, 3, 5);
        _clock.Advance(TimeSpan.FromSeconds(1.5));

        Admit(2).Should().Equal("m2", "m3");

        _order.NextDue().Should().Be(Wait);
        _clock.Advance(TimeSpan.FromSeconds(1));
        DueReads().Should().BeEmpty();
    }

    [Fact]
    public void Learning_the_last_position_reads_the_missing_tail_back_at_once()
    {
        _order.Track("c", 0);
        Admit(1);

        _order.AdvanceTo("c", 4);

        _order.NextDue().Should().Be(TimeSpan.Zero);
        var read = DueReads().Single();
        (read.After, read.UpTo).Should().Be((1L, 4L));
        Fill(read, 2, 3, 4).Should().Equal("m2", "m3", "m4");
        _order.NextDue().Should().BeNull();
    }

    [Fact]
    public void Learning_a_last_position_already_delivered_changes_nothing()
    {
        _order.Track("c", 3);

        _order.AdvanceTo("c", 3);
        _order.AdvanceTo("elsewhere", 9);

        _order.NextDue().Should().BeNull();
    }

    [Fact]
    public void A_read_back_for_a_conversation_that_lost_its_members_meanwhile_is_ignored()
    {
        _order.Track("c", 0);
        Admit(1, 3);
        _clock.Advance(Wait);
        var read = DueReads().Single();

        _order.Untrack("c");
        _order.Track("c", 7);

        Fill(read, 2).Should().BeEmpty();
        Admit(8).Should().Equal("m8");
    }
}
