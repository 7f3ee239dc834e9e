using Microsoft.AspNetCore.SignalR;
using Realtime.Contracts;

namespace PlainSignalR;

/// <summary>
/// Join a group, send to it. Deliveries carry the same <see cref="MessageDto"/> as Realtime's, under the
/// same callback name, so both servers write the same bytes to the same clients.
/// </summary>
public sealed class GroupChatHub : Hub
{
    public Task JoinGroup(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task SendMessage(string group, string clientMessageId, string content) =>
        Clients.Group(group).SendAsync(
            nameof(IChatClient.MessageReceived),
            new MessageDto(Guid.NewGuid().ToString("N"), group, 0, Context.ConnectionId, clientMessageId, content, DateTime.UtcNow, 0, null, null, null, []));
}
