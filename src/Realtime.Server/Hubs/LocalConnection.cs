using Microsoft.AspNetCore.Connections.Abstractions;
using Microsoft.AspNetCore.SignalR;

namespace Realtime.Server.Hubs;

/// <summary>One of this node's connections as delivery sees it: its SignalR context and the conversations it is in here.</summary>
internal sealed class LocalConnection(HubConnectionContext context)
{
    public HubConnectionContext Context { get; } = context;

    /// <summary>
    /// Read once: the feature is set when the connection is negotiated and never changes, and looking
    /// it up in the feature collection for every recipient of every delivery was a measurable cost.
    /// </summary>
    public bool UsesStatefulReconnect { get; } = HasStatefulReconnect(context);

    /// <summary>Guarded by the membership lock.</summary>
    public HashSet<string> Conversations { get; } = new(StringComparer.Ordinal);

    /// <summary>Guarded by the membership lock.</summary>
    public bool Closed { get; set; }

    /// <summary>
    /// Until the connection has joined what it read at connect: the conversations it was removed from in
    /// the meantime, which that read may predate. Guarded by the membership lock.
    /// </summary>
    public HashSet<string>? LeftWhileConnecting { get; set; } = new(StringComparer.Ordinal);

    // The feature is marked preview, but it is how SignalR itself tells such a connection apart, and it
    // is only looked for here, never implemented.
#pragma warning disable CA2252
    private static bool HasStatefulReconnect(HubConnectionContext connection) => connection.Features.Get<IStatefulReconnectFeature>() is not null;
#pragma warning restore CA2252
}
