using System.Text.Json.Serialization;
using Realtime.Contracts;

namespace Realtime.Server.Delivery;

/// <summary>
/// One change to a conversation's log as it is delivered: a new message (<c>MessageReceived</c>) or a
/// message in its new state after an edit, a delete or a reaction (<c>MessageUpdated</c>). Its position
/// in the conversation's delivery is the message's revision.
/// </summary>
public sealed record LogEntry(MessageDto Message, bool IsUpdate)
{
    [JsonIgnore]
    public string ConversationId => Message.ConversationId;

    [JsonIgnore]
    public long Revision => Message.Revision;

    public static LogEntry Created(MessageDto message) => new(message, IsUpdate: false);

    public static LogEntry Updated(MessageDto message) => new(message, IsUpdate: true);
}
