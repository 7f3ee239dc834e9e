using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Realtime.Persistence;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Observability;

[Collection(TracedTests.Name)]
public sealed class TracingTests(PostgresFixture postgres)
{
    private const string SignalR = "Microsoft.AspNetCore.SignalR.Server";
    private const string EntityFramework = "OpenTelemetry.Instrumentation.EntityFrameworkCore";
    private const string Redis = "OpenTelemetry.Instrumentation.StackExchangeRedis";

    [Fact]
    public async Task Requests_hub_invocations_and_database_commands_are_traced()
    {
        var spans = new List<Activity>();
        await using var redis = await RedisServer.StartAsync();
        await using var server = await StartTracedAsync(redis, spans);

        await using (var alice = await server.ConnectAsync(Users.Unique("alice")))
        {
            var conversation = await alice.Hub.CreateConversation("traced", []);
            await alice.Hub.SendMessage(conversation.Id, "t1", "traced");
        }

        using var http = await server.HttpClientForAsync(Users.Unique("bob"));
        (await http.GetAsync(new Uri("/api/conversations", UriKind.Relative))).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(
            () => Task.FromResult(Snapshot(spans).Any(s => s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/api/conversations", StringComparison.Ordinal))),
            "the REST request is traced");
        var all = Snapshot(spans);
        all.Should().Contain(s => s.Source.Name == SignalR && s.DisplayName.Contains("SendMessage", StringComparison.Ordinal), "each hub invocation is a span");
        all.Should().Contain(s => s.Source.Name == "Npgsql", "database commands are spans");
        all.Where(s => s.Source.Name is "Npgsql" or EntityFramework or Redis).Should().OnlyContain(
            s => !string.Join(' ', s.Tags.Select(t => t.Value)).Contains("traced", StringComparison.Ordinal),
            "spans carry statements with parameters, never message contents or titles");
    }

    [Fact]
    public async Task A_send_and_a_conversation_change_each_trace_through_the_database_and_Redis()
    {
        var spans = new List<Activity>();
        await using var redis = await RedisServer.StartAsync();
        await using var server = await StartTracedAsync(redis, spans);

        await using (var alice = await server.ConnectAsync(Users.Unique("alice")))
        {
            var conversation = await alice.Hub.CreateConversation("spans", [Users.Unique("bob")]);
            await alice.Hub.SendMessage(conversation.Id, "s1", "a message");
        }

        // The Redis instrumentation turns profiled commands into spans on a timer of its own.
        await Eventually.HoldsAsync(
            () => Task.FromResult(TracesOf(Snapshot(spans), "SendMessage").Any(trace => trace.Any(s => s.Source.Name == Redis))
                && TracesOf(Snapshot(spans), "CreateConversation").Any(trace => trace.Any(s => s.Source.Name == Redis))),
            "the Redis commands of both calls are exported");

        // Other in-process servers of the test run share the process's activity sources, so this server's
        // calls are the traces that hold everything a call of this one makes.
        TracesOf(Snapshot(spans), "SendMessage").Should().Contain(send =>
            send.Any(s => s.DisplayName == "realtime.commit")
            && send.Any(s => s.DisplayName == "realtime.publish")
            && send.Any(s => s.Source.Name == EntityFramework && s.Parent != null && s.Parent.DisplayName == "realtime.commit")
            && send.Any(s => s.Source.Name == "Npgsql")
            && send.Any(s => s.Source.Name == Redis && s.DisplayName == "PUBLISH"),
            "the group commit, its batched insert as an EF Core command and a database command, the fan-out and its Redis PUBLISH join the trace of the send");
        TracesOf(Snapshot(spans), "CreateConversation").Should().Contain(create =>
            create.Any(s => s.Source.Name == EntityFramework) && create.Any(s => s.Source.Name == "Npgsql") && create.Any(s => s.Source.Name == Redis),
            "EF Core's commands, the database commands and the Redis commands that tell the other nodes are spans of the call that ran them");
    }

    /// <summary>A node on PostgreSQL and Redis whose spans land in <paramref name="spans"/>.</summary>
    private async Task<ChatServer> StartTracedAsync(RedisServer redis, List<Activity> spans) =>
        await ChatServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Database:Provider"] = "PostgreSql",
                ["ConnectionStrings:Chat"] = await postgres.Server.CreateDatabaseAsync("traces"),
                ["Redis:ConnectionString"] = redis.ConnectionString,
                ["Telemetry:Tracing"] = "true",
            },
            configure: builder =>
            {
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
                // EF Core remembers for LoggingCacheTime (1 s) per logger that nobody listens to command and
                // connection events. Once other in-process servers of the run have used EF Core, this server's
                // pooled contexts went on skipping those events (seen with a DiagnosticListener probe: the
                // transaction events arrived, the commands of the same SaveChanges did not), so EF Core's spans
                // were missing. Asking on every command is what a process whose tracer starts first gets anyway.
                builder.Services.ConfigureDbContext<ChatDbContext>(options => options.ConfigureLoggingCacheTime(TimeSpan.Zero));
            });

    /// <summary>The spans of each trace rooted in a hub invocation of <paramref name="method"/>.</summary>
    private static List<List<Activity>> TracesOf(List<Activity> spans, string method) =>
        spans.Where(s => s.Source.Name == SignalR && s.DisplayName.EndsWith("/" + method, StringComparison.Ordinal))
            .Select(invocation => spans.FindAll(s => s.TraceId == invocation.TraceId))
            .ToList();

    /// <summary>The exporter appends from the threads that end spans; copy until a copy succeeds.</summary>
    private static List<Activity> Snapshot(List<Activity> spans)
    {
        while (true)
        {
            try
            {
                return spans.ToArray().Where(s => s is not null).ToList();
            }
            catch (ArgumentException)
            {
                // The list grew during the copy.
            }
        }
    }
}

/// <summary>
/// Tracing runs alone, after the parallel collections: the instrumentations listen process-wide, so other
/// in-process servers starting, tracing or stopping meanwhile change what a traced server records.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracedTests : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Traced";
}
