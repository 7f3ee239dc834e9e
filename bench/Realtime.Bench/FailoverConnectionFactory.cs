using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Realtime.Contracts;

namespace Realtime.Bench;

/// <summary>
/// What a load balancer in front of the nodes does for a client, on the client: every connect and
/// reconnect goes to the client's own node first and, when that node refuses the TCP connection (it
/// died), to the others in the order given. Nothing tells the client which node died; it finds out as a
/// client behind a load balancer would, from a refused connect. The order alternates between clients, so
/// a dead node's clients spread over the nodes that are left.
/// </summary>
internal sealed class FailoverConnectionFactory(HttpConnectionFactory inner, IReadOnlyList<Uri> nodes, int[] order) : IConnectionFactory
{
    /// <summary>Connects that found no node, by exception (inner exception), over the whole run.</summary>
    public static ConcurrentDictionary<string, long> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>The node the last connect reached (an index into the nodes).</summary>
    public int Current { get; private set; } = order[0];

    /// <summary>The factory for a hub connection's services: SignalR's own, which refuses any address but the one
    /// of WithUrl while its options hold it, so it gets a copy of the options without it (each connect names its node).</summary>
    public static FailoverConnectionFactory Create(IServiceProvider services, IReadOnlyList<Uri> nodes, int[] order)
    {
        var configured = services.GetRequiredService<IOptions<HttpConnectionOptions>>().Value;
        var copy = new HttpConnectionOptions();
        foreach (var property in typeof(HttpConnectionOptions).GetProperties().Where(p => p is { CanRead: true, CanWrite: true } && p.Name != nameof(HttpConnectionOptions.Url)))
        {
            property.SetValue(copy, property.GetValue(configured));
        }

        return new FailoverConnectionFactory(new HttpConnectionFactory(Options.Create(copy), services.GetRequiredService<ILoggerFactory>()), nodes, order);
    }

    /// <summary>The order for client <paramref name="client"/>: its home node, then the others, rotated by client.</summary>
    public static int[] OrderFor(int client, int nodeCount)
    {
        var home = client % nodeCount;
        var others = Enumerable.Range(1, nodeCount - 1).Select(k => (home + k) % nodeCount).ToList();
        var shift = client / nodeCount % others.Count;
        return [home, .. others.Skip(shift), .. others.Take(shift)];
    }

    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        Exception? last = null;
        foreach (var node in order)
        {
            try
            {
                var connection = await inner.ConnectAsync(new UriEndPoint(new Uri(nodes[node], ChatEndpoints.HubPath)), cancellationToken);
                Current = node;
                return connection;
            }
            catch (Exception exception) when (exception is not HttpRequestException { StatusCode: not null } && !cancellationToken.IsCancellationRequested)
            {
                // No HTTP answer at all: the node is not there. An answer (401, 429, 503) is the node's word and stands.
                last = exception;
                Failures.AddOrUpdate($"{exception.GetType().Name} ({(exception.InnerException ?? exception).GetType().Name})", 1, (_, n) => n + 1);
            }
        }

        throw last!;
    }
}
