using Realtime.Client;

namespace Realtime.Tests.Infrastructure;

/// <summary>A connect that the server may refuse in <c>OnConnectedAsync</c>, read by its close reason.</summary>
public static class RefusableConnect
{
    /// <returns>The close reason when the server refused the connect (null when it was accepted), and the open client.</returns>
    public static async Task<(string? Reason, ChatClient? Client)> TryAsync(Uri server, string token)
    {
        var client = ChatClient.Create(server, () => Task.FromResult<string?>(token), reconnectPolicy: new NoReconnect());
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.Closed += error => Task.FromResult(closed.TrySetResult(error));
        await client.StartAsync();
        try
        {
            // A call is answered only once OnConnectedAsync is done: by then a refused connect has closed.
            await client.GetConversations();
            return (null, client);
        }
        catch (Exception)
        {
            // The call can fail before the client's state says closed: the close reason is what tells.
            var reason = (await closed.Task.WaitAsync(TimeSpan.FromSeconds(15)))?.Message ?? "closed without a reason";
            await client.DisposeAsync();
            return (reason, null);
        }
    }
}
