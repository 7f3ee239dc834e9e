using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Realtime.Bench;

/// <summary>
/// A connect scenario's clients send their negotiate requests over one shared pool of HTTP connections, as a
/// load balancer in front of a pod does; each WebSocket is still its own. Without it every client leaves an idle
/// keep-alive socket on the server for two minutes, and 10,000 clients are 20,000 sockets on each side.
/// Only connect-10k uses it, so the smaller scenarios stay comparable with their earlier runs.
/// </summary>
internal sealed class SharedNegotiation : IDisposable
{
    private readonly HttpMessageInvoker _pool = new(new SocketsHttpHandler(), disposeHandler: true);

    public void Configure(IHubConnectionBuilder builder) =>
        builder.Services.Configure<HttpConnectionOptions>(options => options.HttpMessageHandlerFactory = _ => new Borrowed(_pool));

    public void Dispose() => _pool.Dispose();

    /// <summary>A handler each client may dispose without closing the pool it sends through.</summary>
    private sealed class Borrowed(HttpMessageInvoker pool) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            pool.SendAsync(request, cancellationToken);
    }
}
