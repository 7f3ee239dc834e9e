using System.Globalization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Realtime.Contracts;
using Realtime.Server.Hubs;
using StackExchange.Redis;

// Usage (configuration keys may also come from the environment, e.g. Redis__ConnectionString):
//   announce --title T --body B                       every connected user
//   notify   --user U --title T --body B              one user, on whichever node they are
//   progress --user U [--operation ID] [--steps N]    a simulated file-processing job, 0 -> 100%
//   ... --Redis:ConnectionString host:port [--Redis:ChannelPrefix realtime]
var command = args.FirstOrDefault() ?? "help";
var builder = Host.CreateApplicationBuilder(args.Skip(1).ToArray());
var redis = builder.Configuration["Redis:ConnectionString"];
if (string.IsNullOrWhiteSpace(redis))
{
    Console.Error.WriteLine("Redis:ConnectionString is required: the notifier reaches the chat nodes through the Redis backplane.");
    return 2;
}

// Both protocols, so the nodes can hand each client the bytes of the protocol it speaks.
builder.Services.AddSignalR()
    .AddJsonProtocol()
    .AddMessagePackProtocol()
    .AddStackExchangeRedis(redis, options =>
        // The same prefix the chat nodes give their multiplexer.
        options.Configuration.ChannelPrefix = RedisChannel.Literal((builder.Configuration["Redis:ChannelPrefix"] ?? "realtime") + ":"));
using var host = builder.Build();
await host.StartAsync();
var hub = host.Services.GetRequiredService<IHubContext<ChatHub, IChatClient>>();
var settings = host.Services.GetRequiredService<IConfiguration>();
string Required(string key) => settings[key] is { Length: > 0 } value ? value : throw new ArgumentException($"--{key} is required for '{command}'.");
string Id() => Guid.CreateVersion7().ToString("N");

try
{
    switch (command)
    {
        case "announce":
            await hub.Clients.All.Notified(new NotificationDto(Id(), "announcement", Required("title"), Required("body"), null, DateTime.UtcNow));
            Console.WriteLine("announced to everyone");
            break;
        case "notify":
            var user = Required("user");
            await hub.Clients.User(user).Notified(new NotificationDto(Id(), "notice", Required("title"), Required("body"), null, DateTime.UtcNow));
            Console.WriteLine($"notified {user}");
            break;
        case "progress":
            var owner = Required("user");
            var operation = settings["operation"] ?? $"file-{Id()[..8]}";
            var steps = int.Parse(settings["steps"] ?? "5", CultureInfo.InvariantCulture);
            var delay = TimeSpan.FromMilliseconds(int.Parse(settings["delay-ms"] ?? "200", CultureInfo.InvariantCulture));
            for (var step = 0; step <= steps; step++)
            {
                var percent = step * 100 / steps;
                var status = step == 0 ? "started" : step == steps ? "completed" : "running";
                await hub.Clients.User(owner).ProgressChanged(new ProgressDto(operation, percent, status, $"processed {step} of {steps} parts"));
                Console.WriteLine($"progress {operation} {percent}%");
                if (step < steps)
                {
                    await Task.Delay(delay);
                }
            }

            break;
        default:
            Console.Error.WriteLine("usage: Realtime.Notifier announce|notify|progress [--user U] [--title T] [--body B] --Redis:ConnectionString host:port");
            return 2;
    }
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}
finally
{
    await host.StopAsync();
}

return 0;
