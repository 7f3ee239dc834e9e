namespace Realtime.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls a condition that has no event to await (a health endpoint, a Redis key) until it holds; fails on timeout.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {because}.");
            }

            await Task.Delay(100);
        }
    }
}
