using System.Globalization;
using System.Runtime;
using PlainSignalR;

// What a .NET team would write for group chat on SignalR alone: a hub, groups, both protocols, and
// nothing else. Started by bench/Realtime.Bench as its own process, so its CPU can be pinned and read.
var builder = WebApplication.CreateBuilder(args);
var signalR = builder.Services.AddSignalR().AddMessagePackProtocol();
if (builder.Configuration["Redis:ConnectionString"] is { Length: > 0 } redis)
{
    // Several nodes (the benchmark's reconnect storm): SignalR's own Redis backplane, as its docs set it up.
    signalR.AddStackExchangeRedis(redis);
}

var app = builder.Build();
app.MapHub<GroupChatHub>("/hubs/chat");

// The floor under any hub, for the benchmark's idle-memory question: a Kestrel WebSocket and nothing else,
// held open with zero-byte reads as SignalR's own transport holds an idle one. Its own branch, so the
// hub's requests never pass this middleware.
app.Map("/ws", socketOnly => socketOnly.UseWebSockets().Run(BareWebSocket.HoldAsync));

// Bench plumbing, off the measured path: the start-up probe, and the JIT time the benchmark's warm-up
// waits on, in the one Prometheus line it reads from Realtime's /metrics.
app.MapGet("/health/ready", () => "ready");
app.MapGet("/metrics", () => string.Create(CultureInfo.InvariantCulture, $"dotnet_jit_compilation_time_seconds_total {JitInfo.GetCompilationTime().TotalSeconds}\n"));
app.Run();
