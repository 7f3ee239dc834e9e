using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Persistence;
using Realtime.Server;
using Realtime.Server.Conversations;
using Realtime.Server.Errors;
using Realtime.Server.Messages;
using Realtime.Server.Observability;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Persistence;

/// <summary>
/// The persistence contract, run unchanged against every provider that can run here. A provider
/// passes by subclassing this with a fresh, empty database.
/// </summary>
public abstract partial class PersistenceSpecification : IAsyncLifetime
{
    private readonly List<ChatDbContext> _contexts = [];
    private readonly List<MessageWriter> _writers = [];
    private ServiceProvider? _writerServices;

    protected abstract DatabaseProvider Provider { get; }

    /// <summary>A connection string to a new, empty database of <see cref="Provider"/>, another one on every call.</summary>
    protected abstract Task<string> CreateDatabaseAsync();

    private string ConnectionString { get; set; } = string.Empty;

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        await ChatDatabase.MigrateAsync(NewContext(), CancellationToken.None);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var writer in _writers)
        {
            await writer.DisposeAsync();
        }

        if (_writerServices is not null)
        {
            await _writerServices.DisposeAsync();
        }

        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }
    }

    [Fact]
    public async Task Migrations_cover_the_whole_model()
    {
        var db = NewContext();

        db.Database.HasPendingModelChanges().Should().BeFalse("every model change has a migration for this provider");
        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
    }

    // Escapes of every kind: quotes and backslashes, control characters, characters beyond the BMP, bidi overrides, SQL.
    private const string Tricky = "héllo 👋 \u202Eevil\u202C \"quoted\" back\\slash\n\ttab 漢字 \u0001 <script>'; DROP TABLE x;--";

    [Fact]
    public async Task Appended_messages_read_back_in_order_with_every_field()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "append", ["bob"]);

        var first = await store.Messages.SendAsync("alice", conversation.Id, "c1", Tricky);
        var second = await store.Messages.SendAsync("bob", conversation.Id, "c2", "second");

        first.IsNew.Should().BeTrue();
        var read = await NewStore().Messages.GetMessagesAsync("bob", conversation.Id, 0, 10);
        read.Should().Equal(first.Message, second.Message);
        read[0].Content.Should().Be(Tricky, "content is stored verbatim");
        read[0].SentAt.Kind.Should().Be(DateTimeKind.Utc);
        read[0].SentAt.Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        read.Select(m => m.Sequence).Should().Equal(1, 2);
        store.Notifier.Messages.Should().HaveCount(2);
    }

    [Theory]
    [InlineData(0xD800)]
    [InlineData(0xDC00)]
    public async Task Content_with_an_unpaired_surrogate_is_refused_whatever_the_way_in_and_nothing_is_written(int unpaired)
    {
        // Built here: a test runner that serialises theory data would replace the surrogate itself.
        var content = $"before {(char)unpaired} after";
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "surrogates", []);

        var refused = await FluentActions.Awaiting(() => store.Messages.SendAsync("alice", conversation.Id, "s1", content)).Should().ThrowAsync<ChatException>();

        refused.Which.Code.Should().Be("invalid_argument");
        (await store.Messages.SendAsync("alice", conversation.Id, "s2", "fine \ud83d\udc4b")).Message.Sequence.Should().Be(1, "the refused send took no sequence");
    }

    [Fact]
    public async Task Pages_go_forwards_after_a_sequence_and_backwards_before_one()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "paging", []);
        for (var i = 1; i <= 25; i++)
        {
            await store.Messages.SendAsync("alice", conversation.Id, $"p{i}", $"m{i}");
        }

        (await store.Messages.GetMessagesAsync("alice", conversation.Id, 0, 10)).Select(m => m.Sequence).Should().Equal(Range(1, 10));
        (await store.Messages.GetMessagesAsync("alice", conversation.Id, 20, 10)).Select(m => m.Sequence).Should().Equal(Range(21, 25));
        (await store.Messages.GetMessagesAsync("alice", conversation.Id, 25, 10)).Should().BeEmpty();
        (await store.Messages.GetHistoryAsync("alice", conversation.Id, null, 5)).Select(m => m.Sequence).Should().Equal(Range(21, 25));
        (await store.Messages.GetHistoryAsync("alice", conversation.Id, 21, 5)).Select(m => m.Sequence).Should().Equal(Range(16, 20));
        (await store.Messages.GetHistoryAsync("alice", conversation.Id, 3, 5)).Select(m => m.Sequence).Should().Equal(1, 2);
    }

    [Fact]
    public async Task Appending_the_same_client_message_id_again_returns_the_original_and_notifies_once()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "idempotent", []);
        var other = await store.Conversations.CreateAsync("alice", "other", []);

        var original = await store.Messages.SendAsync("alice", conversation.Id, "once", "hello");
        var again = await NewStore().Messages.SendAsync("alice", conversation.Id, "once", "hello again");
        var raced = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NewStore().Messages.SendAsync("alice", conversation.Id, "raced", "x")));

        again.Should().Be(new SendResult(original.Message, IsNew: false));
        raced.Count(r => r.IsNew).Should().Be(1);
        raced.Select(r => r.Message.Id).Distinct().Should().ContainSingle();
        store.Notifier.Messages.Should().ContainSingle();
        (await store.Messages.GetMessagesAsync("alice", conversation.Id, 0, 10)).Select(m => m.Sequence).Should().Equal(1, 2);
        await FluentActions.Awaiting(() => store.Messages.SendAsync("alice", other.Id, "once", "elsewhere"))
            .Should().ThrowAsync<ChatException>().Where(e => e.Code == "invalid_argument");
        var sameKeyOtherSender = await store.Messages.SendAsync("alice", conversation.Id, "once", "x");
        sameKeyOtherSender.IsNew.Should().BeFalse();
    }

    [Fact]
    public async Task The_read_watermark_only_moves_forwards()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "watermark", ["bob"]);
        for (var i = 1; i <= 10; i++)
        {
            await store.Messages.SendAsync("alice", conversation.Id, $"w{i}", "x");
        }

        (await store.Messages.MarkReadAsync("bob", conversation.Id, 4)).LastReadSequence.Should().Be(4);
        (await store.Messages.MarkReadAsync("bob", conversation.Id, 2)).LastReadSequence.Should().Be(4);
        await Task.WhenAll(new long[] { 7, 5, 9, 6, 8 }.Select(s => NewStore().Messages.MarkReadAsync("bob", conversation.Id, s)));
        (await store.Messages.MarkReadAsync("bob", conversation.Id, 0)).LastReadSequence.Should().Be(9, "concurrent marks leave the highest");
        (await store.Messages.MarkReadAsync("bob", conversation.Id, 500)).LastReadSequence.Should().Be(10, "the watermark stops at the last message");
    }

    [Fact]
    public async Task Unread_counts_follow_the_watermark_and_skip_the_readers_own_messages()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "unread", ["bob"]);
        for (var i = 1; i <= 6; i++)
        {
            await store.Messages.SendAsync(i % 3 == 0 ? "bob" : "alice", conversation.Id, $"u{i}", "x");
        }

        async Task<(long Unread, long LastRead, long Last)> ViewOf(string user)
        {
            var view = (await NewStore().Conversations.GetForUserAsync(user)).Single(c => c.Id == conversation.Id);
            return (view.UnreadCount, view.LastReadSequence, view.LastSequence);
        }

        (await ViewOf("bob")).Should().Be((4L, 0L, 6L));
        (await ViewOf("alice")).Should().Be((2L, 0L, 6L));
        await store.Messages.MarkReadAsync("bob", conversation.Id, 4);
        (await ViewOf("bob")).Should().Be((1L, 4L, 6L));
        await store.Messages.MarkReadAsync("bob", conversation.Id, 6);
        (await ViewOf("bob")).Should().Be((0L, 6L, 6L));
    }

    [Fact]
    public async Task Membership_changes_decide_who_may_read_and_write()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "members", ["bob"]);
        conversation.MemberIds.Should().BeEquivalentTo(["alice", "bob"]);

        await Refused(() => store.Messages.SendAsync("carol", conversation.Id, "c1", "x"), "not_a_member");
        await Refused(() => store.Conversations.AddMemberAsync("bob", conversation.Id, "carol"), "forbidden");
        var added = await store.Conversations.AddMemberAsync("alice", conversation.Id, "carol");
        added.MemberIds.Should().BeEquivalentTo(["alice", "bob", "carol"]);
        (await store.Conversations.AddMemberAsync("alice", conversation.Id, "carol")).MemberIds.Should().HaveCount(3, "adding twice changes nothing");
        await store.Messages.SendAsync("carol", conversation.Id, "c2", "now I can write");

        await store.Conversations.RemoveMemberAsync("alice", conversation.Id, "bob");
        await Refused(() => store.Messages.GetMessagesAsync("bob", conversation.Id, 0, 10), "not_a_member");
        await Refused(() => store.Conversations.AddMemberAsync("bob", conversation.Id, "bob"), "not_a_member");
        await Refused(() => store.Conversations.RemoveMemberAsync("alice", conversation.Id, "bob"), "not_found");
        await store.Conversations.RemoveMemberAsync("carol", conversation.Id, "carol");
        (await store.Conversations.GetForUserAsync("carol")).Should().NotContain(c => c.Id == conversation.Id);
        (await store.Conversations.GetForUserAsync("alice")).Single(c => c.Id == conversation.Id).MemberIds.Should().Equal("alice");
        await Refused(() => store.Messages.SendAsync("alice", "no-such-conversation", "c3", "x"), "not_found");
        (await store.Conversations.GetContactIdsAsync("alice")).Should().BeEmpty();
    }

    [Fact]
    public async Task Delivered_and_read_watermarks_only_move_forwards_stay_in_order_and_survive_a_new_context()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "ticks", ["bob", "carol"]);
        for (var i = 1; i <= 10; i++)
        {
            await store.Messages.SendAsync("alice", conversation.Id, $"d{i}", "x");
        }

        (await store.Receipts.MarkDeliveredAsync("bob", conversation.Id, 4)).LastDeliveredSequence.Should().Be(4);
        (await store.Receipts.MarkDeliveredAsync("bob", conversation.Id, 2)).LastDeliveredSequence.Should().Be(4);
        await Task.WhenAll(new long[] { 7, 5, 9, 6, 8 }.Select(s => NewStore().Receipts.MarkDeliveredAsync("bob", conversation.Id, s)));
        (await store.Receipts.MarkDeliveredAsync("bob", conversation.Id, 0)).LastDeliveredSequence.Should().Be(9, "concurrent marks leave the highest");
        (await store.Receipts.MarkDeliveredAsync("bob", conversation.Id, 500)).LastDeliveredSequence.Should().Be(10, "the watermark stops at the last message");
        await store.Messages.MarkReadAsync("carol", conversation.Id, 6);
        (await store.Receipts.MarkDeliveredAsync("carol", conversation.Id, 3)).Should().Match<Realtime.Contracts.ReadReceiptDto>(
            r => r.LastReadSequence == 6 && r.LastDeliveredSequence == 6, "the delivered watermark is never below the read one");
        await store.Messages.MarkReadAsync("bob", conversation.Id, 2);

        var reloaded = NewStore();
        (await reloaded.Receipts.GetAsync("alice", conversation.Id)).Select(r => (r.UserId, r.LastReadSequence, r.LastDeliveredSequence))
            .Should().Equal(("bob", 2L, 10L), ("carol", 6L, 6L));
        (await reloaded.Conversations.GetForUserAsync("bob")).Single().Should().Match<Realtime.Contracts.ConversationDto>(
            c => c.LastReadSequence == 2 && c.LastDeliveredSequence == 10, "GetConversations returns the caller's own watermarks");
        store.Notifier.Receipts.Select(r => (r.UserId, r.LastReadSequence, r.LastDeliveredSequence)).Should().Equal(
            [("bob", 0L, 4L), ("bob", 0L, 10L), ("carol", 6L, 6L), ("bob", 2L, 10L)], "only a mark that moved a watermark is broadcast");
    }

    [Fact]
    public async Task Concurrent_opens_of_a_direct_conversation_from_both_sides_make_one_conversation()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => NewStore().Directs.OpenAsync(i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? "bob" : "alice")));

        opened.Select(c => c.Id).Distinct().Should().ContainSingle();
        (await NewContext().Conversations.CountAsync(c => c.Kind == "direct")).Should().Be(1, "the pair's unique key keeps it one");
        opened[0].Members.Select(m => (m.UserId, m.Role)).Should().Equal(("alice", "member"), ("bob", "member"));
        (await NewStore().Directs.OpenAsync("bob", "carol")).Id.Should().NotBe(opened[0].Id);
    }

    [Fact]
    public async Task Roles_are_stored_and_an_owner_leaving_hands_ownership_to_the_longest_standing_admin()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "roles", []);
        foreach (var user in new[] { "zed", "yan", "xia" })
        {
            await store.Conversations.AddMemberAsync("alice", conversation.Id, user);
        }

        await store.Administration.SetRoleAsync("alice", conversation.Id, "xia", "admin");
        await store.Administration.SetRoleAsync("alice", conversation.Id, "yan", "admin");
        await store.Administration.UpdateAsync("alice", conversation.Id, null, "the topic");
        await store.Conversations.RemoveMemberAsync("alice", conversation.Id, "alice");

        var view = (await NewStore().Conversations.GetForUserAsync("zed")).Single();
        view.Members.Select(m => (m.UserId, m.Role)).Should().Equal(("xia", "admin"), ("yan", "owner"), ("zed", "member"));
        view.Topic.Should().Be("the topic");
        await Refused(() => NewStore().Conversations.RemoveMemberAsync("xia", conversation.Id, "yan"), "forbidden");
    }

    [Fact]
    public async Task Four_concurrent_writers_of_five_hundred_messages_end_with_sequences_one_to_two_thousand()
    {
        const int writers = 4;
        const int messagesEach = 500;
        var conversation = await NewStore().Conversations.CreateAsync("w0", "contended", ["w1", "w2", "w3"]);

        // Each writer has its own context, connection and message writer, so only the database orders them.
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = NewStore();
            for (var i = 0; i < messagesEach; i++)
            {
                await store.Messages.SendAsync($"w{w}", conversation.Id, $"w{w}-{i}", $"{w}:{i}");
            }
        })));

        var db = NewContext();
        var sequences = await db.Messages.Where(m => m.ConversationId == conversation.Id).OrderBy(m => m.Sequence).Select(m => m.Sequence).ToListAsync();
        sequences.Should().Equal(Enumerable.Range(1, writers * messagesEach).Select(i => (long)i));
        (await db.Conversations.SingleAsync(c => c.Id == conversation.Id)).LastSequence.Should().Be(writers * messagesEach);
        for (var w = 0; w < writers; w++)
        {
            var own = await db.Messages.Where(m => m.SenderId == $"w{w}").OrderBy(m => m.Sequence).Select(m => m.Content).ToListAsync();
            own.Should().Equal(Enumerable.Range(0, messagesEach).Select(i => $"{w}:{i}"), "each writer's messages keep their order");
        }
    }

    [Fact]
    public async Task Across_many_batches_every_send_is_published_in_sequence_order_before_it_is_acknowledged()
    {
        var store = NewStore();
        var first = await store.Conversations.CreateAsync("alice", "first", ["bob"]);
        var second = await store.Conversations.CreateAsync("bob", "second", ["alice"]);
        store.Notifier.Messages.Clear();

        // Enough concurrent sends that the writer commits some batches while it still publishes others.
        var sends = Enumerable.Range(0, 600).Select(i => store.Messages.SendAsync(i % 2 == 0 ? "alice" : "bob", i % 3 == 0 ? first.Id : second.Id, $"m{i}", $"message {i}")
            .ContinueWith(
                sent => (sent.Result.Message, Published: store.Notifier.Messages.Any(m => m.Id == sent.Result.Message.Id)),
                TaskScheduler.Default)).ToList();
        var acknowledged = await Task.WhenAll(sends);

        acknowledged.Should().OnlyContain(a => a.Published, "a send is acknowledged only after it was handed to the clients");
        foreach (var conversation in new[] { first.Id, second.Id })
        {
            store.Notifier.Messages.Where(m => m.ConversationId == conversation).Select(m => m.Sequence)
                .Should().Equal(acknowledged.Where(a => a.Message.ConversationId == conversation).Select(a => a.Message.Sequence).Order(), "each conversation is published in sequence order");
        }
    }

    [Fact]
    public async Task One_batch_across_conversations_stores_every_members_send_and_refuses_only_the_outsiders()
    {
        var store = NewStore();
        var first = await store.Conversations.CreateAsync("alice", "first", ["bob"]);
        var second = await store.Conversations.CreateAsync("bob", "second", []);
        var stored = await store.Messages.SendAsync("alice", first.Id, "early", "sent before the batch");

        // Queued together, so the writer takes them in as few transactions as it can.
        var sends = Enumerable.Range(0, 90).Select(i => (i % 3) switch
        {
            0 => store.Messages.SendAsync("alice", first.Id, $"a{i}", $"first {i}"),
            1 => store.Messages.SendAsync("bob", second.Id, $"b{i}", $"second {i}"),
            _ => store.Messages.SendAsync("alice", second.Id, $"x{i}", "from an outsider"),
        }).Append(store.Messages.SendAsync("alice", first.Id, "early", "sent before the batch")).ToList();
        await Task.WhenAll(sends).ContinueWith(_ => { }, TaskScheduler.Default);

        sends.Where((_, i) => i < 90 && i % 3 == 2).Should().OnlyContain(t => t.IsFaulted && ((ChatException)t.Exception!.InnerException!).Code == "not_a_member");
        var accepted = sends.Where((_, i) => i >= 90 || i % 3 != 2).Select(t => t.Result).ToList();
        accepted[^1].Should().Be(new SendResult(stored.Message, IsNew: false), "a retry inside a batch gets the stored original");

        var firstLog = await store.Messages.GetMessagesAsync("alice", first.Id, 0, 100);
        var secondLog = await store.Messages.GetMessagesAsync("bob", second.Id, 0, 100);
        firstLog.Select(m => m.Sequence).Should().Equal(Range(1, 31));
        secondLog.Select(m => m.Sequence).Should().Equal(Range(1, 30));
        firstLog.Concat(secondLog).Should().BeEquivalentTo(accepted.Take(accepted.Count - 1).Select(r => r.Message).Append(stored.Message),
            "what the batch acknowledged is exactly what is read back");
    }

    [Fact]
    public async Task A_logged_batch_stores_exactly_what_it_returns_and_leaves_no_gap_where_it_skipped_a_send()
    {
        var conversation = await NewStore().Conversations.CreateAsync("alice", "log", ["bob"]);
        NewMessage[] sends =
        [
            new("log-1", conversation.Id, "alice", "l1", "one"),
            new("log-2", conversation.Id, "mallory", "l2", "from an outsider"),
            new("log-3", conversation.Id, "bob", "l3", "three"),
            new("log-4", "no-such-conversation", "alice", "l4", "to nowhere"),
        ];

        var stored = await MessageLog.AppendAsync(NewContext(), sends, DateTime.UtcNow, CancellationToken.None);

        // PostgreSQL decides membership inside its one statement and stores the rest; the others write
        // all or nothing, and the caller sends each missing one again alone.
        stored.Select(m => m.Id).Should().Equal(Provider == DatabaseProvider.PostgreSql ? ["log-1", "log-3"] : []);
        var db = NewContext();
        (await db.Messages.OrderBy(m => m.Sequence).Select(m => new { m.Id, m.Sequence }).ToListAsync())
            .Should().Equal(stored.Select(m => new { m.Id, m.Sequence }), (read, written) => read.Id == written.Id && read.Sequence == written.Sequence);
        stored.Select(m => m.Sequence).Should().Equal(Range(1, stored.Count));
        (await db.Conversations.SingleAsync(c => c.Id == conversation.Id)).LastSequence.Should().Be(stored.Count);
    }

    [Fact]
    public async Task The_database_itself_refuses_a_duplicate_sequence_or_client_message_id()
    {
        var store = NewStore();
        var conversation = await store.Conversations.CreateAsync("alice", "constraints", []);
        var sent = await store.Messages.SendAsync("alice", conversation.Id, "k1", "x");

        var db = NewContext();
        db.Messages.Add(new Message { Id = Ids.NewId(), ConversationId = conversation.Id, Sequence = sent.Message.Sequence, SenderId = "bob", ClientMessageId = "k2", Content = "dup sequence", SentAt = DateTime.UtcNow });
        await FluentActions.Awaiting(() => db.SaveChangesAsync()).Should().ThrowAsync<DbUpdateException>();

        var db2 = NewContext();
        db2.Messages.Add(new Message { Id = Ids.NewId(), ConversationId = conversation.Id, Sequence = 99, SenderId = "alice", ClientMessageId = "k1", Content = "dup key", SentAt = DateTime.UtcNow });
        await FluentActions.Awaiting(() => db2.SaveChangesAsync()).Should().ThrowAsync<DbUpdateException>();
    }

    protected ChatDbContext NewContext() => NewContext(ConnectionString);

    private ChatDbContext NewContext(string connectionString)
    {
        var options = new DbContextOptionsBuilder<ChatDbContext>();
        ChatDatabase.Configure(options, Provider, connectionString);
        var context = new ChatDbContext(options.Options);
        _contexts.Add(context);
        return context;
    }

    /// <summary>The writer opens a scope per batch, as in the server.</summary>
    private IServiceScopeFactory WriterScopes()
    {
        _writerServices ??= new ServiceCollection()
            .AddDbContext<ChatDbContext>(options => ChatDatabase.Configure(options, Provider, ConnectionString))
            .BuildServiceProvider();
        return _writerServices.GetRequiredService<IServiceScopeFactory>();
    }

    private Store NewStore()
    {
        var db = NewContext();
        var notifier = new RecordingNotifier();
        var options = Options.Create(new ChatOptions());
        var conversations = new ConversationService(db, notifier, options, TimeProvider.System);
        var changes = new ChangeCommit(WriterScopes(), options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ChangeCommit>.Instance);
        var writer = new MessageWriter(WriterScopes(), notifier, changes, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<MessageWriter>.Instance);
        _writers.Add(writer);
        var sender = new MessageSender(writer, new ReplyTargets(WriterScopes()), Metrics, options);
        var messages = new MessageService(db, conversations, notifier, sender, options, TimeProvider.System);
        return new Store(conversations, messages, notifier, new MessageChanger(writer, sender))
        {
            Directs = new DirectConversations(db, notifier, TimeProvider.System),
            Administration = new ConversationAdministration(db, notifier, options),
            Receipts = new ReceiptService(db, notifier, TimeProvider.System),
        };
    }

    private static readonly ChatMetrics Metrics = new(
        new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
        new NodeThroughput(TimeProvider.System));

    private static async Task Refused(Func<Task> call, string code) =>
        await call.Should().ThrowAsync<ChatException>().Where(e => e.Code == code);

    private static IEnumerable<long> Range(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => (long)i);

    private sealed record Store(ConversationService Conversations, MessageService Messages, RecordingNotifier Notifier, MessageChanger Changes)
    {
        public required DirectConversations Directs { get; init; }

        public required ConversationAdministration Administration { get; init; }

        public required ReceiptService Receipts { get; init; }
    }
}

public sealed class SqlitePersistenceTests : PersistenceSpecification
{
    private readonly string _directory = Directory.CreateTempSubdirectory("realtime-sqlite-").FullName;

    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync() => Task.FromResult($"Data Source={Path.Combine(_directory, $"chat-{Guid.NewGuid():N}.db")}");

    [Fact]
    public async Task Every_connection_keeps_statement_journals_in_memory_rather_than_in_temporary_files()
    {
        var db = NewContext();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA temp_store;";

        // 2 is MEMORY; SQLite's default, 0, puts a file under /var/tmp for every statement journal.
        (await command.ExecuteScalarAsync()).Should().Be(2L);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

[Collection(PostgresTests.Name)]
public sealed class PostgreSqlPersistenceTests(PostgresFixture postgres) : PersistenceSpecification
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override Task<string> CreateDatabaseAsync() => postgres.Server.CreateDatabaseAsync("spec");

    [Fact]
    public async Task A_batch_locks_its_conversations_in_key_order_so_batches_on_other_nodes_cannot_deadlock_with_it()
    {
        var setup = NewContext();
        setup.Conversations.AddRange(
            new Conversation { Id = "lock-a", Title = "a", CreatedAt = DateTime.UtcNow, Members = [new ConversationMember { ConversationId = "lock-a", UserId = "alice" }] },
            new Conversation { Id = "lock-b", Title = "b", CreatedAt = DateTime.UtcNow, Members = [new ConversationMember { ConversationId = "lock-b", UserId = "alice" }] });
        await setup.SaveChangesAsync();
        // Now a's live row sits after b's in the table, where a plain scan meets it second.
        await setup.Database.ExecuteSqlRawAsync("""UPDATE "Conversations" SET "Title" = 'a again' WHERE "Id" = 'lock-a'""");

        // Another node's transaction holds a.
        var otherNode = NewContext();
        await using var otherTransaction = await otherNode.Database.BeginTransactionAsync();
        await otherNode.Database.ExecuteSqlRawAsync("""UPDATE "Conversations" SET "Title" = 'held' WHERE "Id" = 'lock-a'""");

        var append = MessageLog.AppendAsync(NewContext(), [new NewMessage("m-b", "lock-b", "alice", "b1", "to b"), new NewMessage("m-a", "lock-a", "alice", "a1", "to a")], DateTime.UtcNow, CancellationToken.None);
        var observer = NewContext();
        await Eventually.HoldsAsync(
            async () => await observer.Database.SqlQueryRaw<int>("""SELECT count(*)::int AS "Value" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'""").SingleAsync() == 1,
            "the batch waits for the other node's lock");

        // Waiting for a, the batch must not be holding b: had it taken b first, the other node's next batch
        // over b and a would wait for it while it waits for them.
        var probe = NewContext();
        await using (var probeTransaction = await probe.Database.BeginTransactionAsync())
        {
            await probe.Database.Invoking(db => db.ExecuteSqlRawAsync("""SELECT 1 FROM "Conversations" WHERE "Id" = 'lock-b' FOR UPDATE NOWAIT""", CancellationToken.None))
                .Should().NotThrowAsync();
        }

        await otherTransaction.RollbackAsync();
        (await append).Select(m => (m.Id, m.Sequence)).Should().Equal(("m-b", 1L), ("m-a", 1L));
    }

    [Fact]
    public async Task Batches_of_any_size_share_one_statement_the_server_plans_once_per_connection()
    {
        var setup = NewContext();
        setup.Conversations.Add(new Conversation { Id = "plan", Title = "plan", CreatedAt = DateTime.UtcNow, Members = [new ConversationMember { ConversationId = "plan", UserId = "alice" }] });
        await setup.SaveChangesAsync();

        // Held open, so every batch below runs on this one server session.
        var db = NewContext();
        await db.Database.OpenConnectionAsync();
        await MessageLog.AppendAsync(db, [new NewMessage("p-1", "plan", "alice", "p1", "one")], DateTime.UtcNow, CancellationToken.None);
        await MessageLog.AppendAsync(db, [new NewMessage("p-2", "plan", "alice", "p2", "two"), new NewMessage("p-3", "plan", "alice", "p3", "three")], DateTime.UtcNow, CancellationToken.None);

        // Planning costs the server more than running a small batch: the session must hold exactly one
        // prepared batch statement, reused whatever the batch size.
        (await db.Database.SqlQueryRaw<int>("""SELECT count(*)::int AS "Value" FROM pg_prepared_statements WHERE statement LIKE '%unnest(%'""").SingleAsync())
            .Should().Be(1);
        (await db.Messages.CountAsync(m => m.ConversationId == "plan")).Should().Be(3);
    }
}
