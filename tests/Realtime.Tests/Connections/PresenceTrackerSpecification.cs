using Realtime.Server.Connections;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Connections;

/// <summary>What every presence tracker promises, run against each one.</summary>
public abstract class PresenceTrackerSpecification
{
    protected abstract IPresenceTracker Tracker { get; }

    [Fact]
    public async Task Concurrent_opens_of_one_user_past_the_limit_register_exactly_the_limit_and_bring_the_user_online_once()
    {
        var user = Users.Unique("tabs");

        var opened = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Tracker.ConnectionOpenedAsync(user, $"c{i}", limit: 10)));

        opened.Count(o => o != ConnectionOpened.AtLimit).Should().Be(10);
        opened.Count(o => o == ConnectionOpened.CameOnline).Should().Be(1);
        (await Tracker.GetConnectionIdsAsync(user)).Should().HaveCount(10);
    }

    [Fact]
    public async Task A_connection_refused_at_the_limit_is_not_counted_and_a_closed_one_frees_its_place()
    {
        var user = Users.Unique("two-tabs");
        (await Tracker.ConnectionOpenedAsync(user, "first", limit: 2)).Should().Be(ConnectionOpened.CameOnline);
        (await Tracker.ConnectionOpenedAsync(user, "second", limit: 2)).Should().Be(ConnectionOpened.AlreadyOnline);

        (await Tracker.ConnectionOpenedAsync(user, "third", limit: 2)).Should().Be(ConnectionOpened.AtLimit);
        (await Tracker.GetConnectionIdsAsync(user)).Should().BeEquivalentTo(["first", "second"]);

        (await Tracker.ConnectionClosedAsync(user, "first")).Should().BeFalse("the second is still open");
        (await Tracker.ConnectionOpenedAsync(user, "third", limit: 2)).Should().Be(ConnectionOpened.AlreadyOnline);
        (await Tracker.GetOnlineUsersAsync([user])).Should().BeEquivalentTo([user]);
    }
}

public sealed class InMemoryPresenceTrackerTests : PresenceTrackerSpecification
{
    protected override IPresenceTracker Tracker { get; } = new InMemoryPresenceTracker(new LocalConnectionRegistry());
}
