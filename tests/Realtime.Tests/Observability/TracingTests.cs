using System.Diagnostics;
using OpenTelemetry.Trace;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Observability;

[Collection(PostgresTests.Name)]
public sealed class TracingTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Requests_hub_invocations_and_database_commands_are_traced()
    {
        var spans = new List<Activity>();
        await using var server = await ChatServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Database:Provider"] = "PostgreSql",
                ["ConnectionStrings:Chat"] = await postgres.Server.CreateDatabaseAsync("traces"),
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
        all.Should().Contain(s => s.Source.Name == "Microsoft.AspNetCore.SignalR.Server" && s.DisplayName.Contains("SendMessage", StringComparison.Ordinal), "each hub invocation is a span");
        all.Should().Contain(s => s.Source.Name == "Npgsql", "database commands are spans");
        all.Where(s => s.Source.Name == "Npgsql").Should().OnlyContain(
            s => !string.Join(' ', s.Tags.Select(t => t.Value)).Contains("'traced'", StringComparison.Ordinal),
            "spans carry SQL with parameters, never message contents");
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
