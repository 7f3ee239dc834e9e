namespace Realtime.Server;

public static class StoredTime
{
    /// <summary>
    /// Now, in UTC, cut to whole microseconds: the finest time every supported database keeps
    /// (PostgreSQL stores microseconds), so what a call returns equals what a later read returns.
    /// </summary>
    public static DateTime UtcNowForStorage(this TimeProvider clock)
    {
        var ticks = clock.GetUtcNow().UtcTicks;
        return new DateTime(ticks - (ticks % TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);
    }
}
