using System.Diagnostics;
using OpenTelemetry.Trace;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Observability;

[Collection(PostgresTests.Name)]
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
        await using var server = await ChatServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Database:Provider"] = "PostgreSql",
                ["ConnectionStrings:Chat"] = await postgres.Server.CreateDatabaseAsync("traces"),
                ["Redis:ConnectionString"] = redis.ConnectionString,
                ["Telemetry:Tracing"] = "true",
            },
            configure: builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));

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
        await using var server = await ChatServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Database:Provider"] = "PostgreSql",
                ["ConnectionStrings:Chat"] = await postgres.Server.CreateDatabaseAsync("traces"),
                ["Redis:ConnectionString"] = redis.ConnectionString,
                ["Telemetry:Tracing"] = "true",
            },
            configure: builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));

        await using (var alice = await server.ConnectAsync(Users.Unique("alice")))
        {
            var conversation = await alice.Hub.CreateConversation("spans", [Users.Unique("bob")]);
            await alice.Hub.SendMessage(conversation.Id, "s1", "a message");
        }

        // The Redis instrumentation turns profiled commands into spans on a timer of its own.
        await Eventually.HoldsAsync(
            () => Task.FromResult(TraceOf(Snapshot(spans), "SendMessage").Any(s => s.Source.Name == Redis)
                && TraceOf(Snapshot(spans), "CreateConversation").Any(s => s.Source.Name == Redis)),
            "the Redis commands of both calls are exported");

        var send = TraceOf(Snapshot(spans), "SendMessage");
        send.Should().Contain(s => s.DisplayName == "realtime.commit", "the group commit joins the trace of the send it writes");
        send.Should().Contain(s => s.DisplayName == "realtime.publish", "and so does its fan-out");
        send.Should().Contain(s => s.Source.Name == "Npgsql", "the batch insert is a database span of the send");
        send.Should().Contain(s => s.Source.Name == Redis && s.DisplayName == "PUBLISH", "the publish to the other nodes is a Redis span of the send");

        var create = TraceOf(Snapshot(spans), "CreateConversation");
        create.Should().Contain(s => s.Source.Name == EntityFramework, "EF Core commands are spans of the call that ran them");
        create.Should().Contain(s => s.Source.Name == Redis, "and so are the Redis commands that tell the other nodes");
    }

    /// <summary>Every span in the trace of the one hub invocation of <paramref name="method"/>.</summary>
    private static List<Activity> TraceOf(List<Activity> spans, string method)
    {
        var invocation = spans.Single(s => s.Source.Name == SignalR && s.DisplayName.EndsWith("/" + method, StringComparison.Ordinal));
        return spans.FindAll(s => s.TraceId == invocation.TraceId);
    }

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
