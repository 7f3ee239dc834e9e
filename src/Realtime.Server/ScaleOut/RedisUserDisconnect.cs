using Realtime.Server.Admin;
using Realtime.Server.Connections;
using Realtime.Server.Errors;
using StackExchange.Redis;

namespace Realtime.Server.ScaleOut;

/// <summary>A request to close every connection of a user, read by every node.</summary>
public sealed record UserDisconnectRequest(string UserId);

/// <summary>
/// Closes the user's connections here, then asks every other node to close theirs on one channel they
/// all read. Nobody waits for the others' answers: a dead node has no connections left to close.
/// </summary>
internal sealed class RedisUserDisconnect(IConnectionMultiplexer redis, NodeIdentity node, LocalUserDisconnect local, ILogger<RedisUserDisconnect> logger)
    : IUserDisconnect, IHostedService
{
    private readonly NodeChannel<UserDisconnectRequest> _requests = new(redis, node, "admin:disconnect", logger);

    public async Task<int> DisconnectAsync(string userId, CancellationToken cancellationToken)
    {
        var closed = local.DisconnectHere(userId);
        try
        {
            await _requests.PublishAsync(new UserDisconnectRequest(userId));
        }
        catch (RedisException)
        {
            throw ChatException.Unavailable($"Closed {closed} connections on this node, but Redis does not answer, so the other nodes were not asked; try again.");
        }

        return closed;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _requests.SubscribeAsync(requests =>
    {
        foreach (var request in requests)
        {
            local.DisconnectHere(request.UserId);
        }

        return Task.CompletedTask;
    });

    public Task StopAsync(CancellationToken cancellationToken) => _requests.UnsubscribeAsync();
}
