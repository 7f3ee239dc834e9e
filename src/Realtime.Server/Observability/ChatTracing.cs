using System.Diagnostics;

namespace Realtime.Server.Observability;

/// <summary>
/// The service's own spans, for work that leaves its caller's async flow. The group commit writes and
/// publishes many callers' sends together on tasks of its own; without these spans a send's trace would
/// end at the hub invocation, and its database and Redis spans would start traces of their own.
/// </summary>
public static class ChatTracing
{
    public const string SourceName = "Realtime.Server";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// One span for work done for several sends at once: a child of the first traced send, so a single
    /// send's trace reads from invocation to commit to publish, and linked to the traces of the others.
    /// </summary>
    public static Activity? StartBatch<T>(string name, IReadOnlyList<T> sends, Func<T, ActivityContext> contextOf)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext parent = default;
        List<ActivityLink>? links = null;
        foreach (var item in sends)
        {
            var send = contextOf(item);
            if (send == default)
            {
                continue;
            }

            if (parent == default)
            {
                parent = send;
            }
            else
            {
                (links ??= []).Add(new ActivityLink(send));
            }
        }

        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, links: links);
        activity?.SetTag("realtime.batch.sends", sends.Count);
        return activity;
    }
}
