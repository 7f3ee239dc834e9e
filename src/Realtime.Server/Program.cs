using Realtime.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddRealtime();

var app = builder.Build();
await app.UseRealtimeAsync();
await app.RunAsync();
