using Microsoft.Extensions.Time.Testing;
using Realtime.Server.Observability;

namespace Realtime.Tests.Admin;

public sealed class RateWindowTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Events_of_the_last_minute_are_counted_and_averaged_over_sixty_seconds()
    {
        var window = new RateWindow(_clock);
        window.Add(30);
        _clock.Advance(TimeSpan.FromSeconds(20));
        window.Add(60);

        window.LastMinute().Should().Be(90);
        window.PerSecond().Should().Be(1.5);
    }

    [Fact]
    public void An_event_leaves_the_window_a_minute_after_its_second()
    {
        var window = new RateWindow(_clock);
        window.Add(5);
        _clock.Advance(TimeSpan.FromSeconds(30));
        window.Add(7);

        _clock.Advance(TimeSpan.FromSeconds(29));
        window.LastMinute().Should().Be(12, "both are within the minute");
        _clock.Advance(TimeSpan.FromSeconds(1));
        window.LastMinute().Should().Be(7, "the first one's second has left the window");
        _clock.Advance(TimeSpan.FromSeconds(30));
        window.LastMinute().Should().Be(0);
    }

    [Fact]
    public void A_bucket_reused_a_minute_later_starts_from_zero()
    {
        var window = new RateWindow(_clock);
        window.Add(100);
        _clock.Advance(TimeSpan.FromSeconds(RateWindow.Seconds));
        window.Add(1);

        window.LastMinute().Should().Be(1);
    }
}
