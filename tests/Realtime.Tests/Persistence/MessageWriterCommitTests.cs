using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Realtime.Persistence;
using Realtime.Server;
using Realtime.Server.Conversations;
using Realtime.Server.Messages;

namespace Realtime.Tests.Persistence;

/// <summary>How many transactions the writer spends on a batch, on the embedded SQLite store.</summary>
public sealed class MessageWriterCommitTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("realtime-writer-").FullName;
    private readonly TransactionCounter _transactions = new();
    private ServiceProvider _services = null!;

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "chat.db")}";

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddDbContext<ChatDbContext>(options => ChatDatabase.Configure(options, DatabaseProvider.Sqlite, ConnectionString).AddInterceptors(_transactions))
            .BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await ChatDatabase.MigrateAsync(scope.ServiceProvider.GetRequiredService<ChatDbContext>(), CancellationToken.None);
    }

    [Fact]
    public async Task A_batch_holding_both_sends_and_reactions_costs_one_transaction_and_both_halves_are_kept()
    {
        var scopes = _services.GetRequiredService<IServiceScopeFactory>();
        var changes = new ChangeCommit(scopes, Options.Create(new ChatOptions()), TimeProvider.System, NullLogger<ChangeCommit>.Instance);
        await using var writer = new MessageWriter(scopes, new RecordingNotifier(), changes, TimeProvider.System, NullLogger<MessageWriter>.Instance);
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var conversation = await new ConversationService(db, new RecordingNotifier(), Options.Create(new ChatOptions()), TimeProvider.System)
            .CreateAsync("alice", "joint", ["bob"]);
        var first = (await writer.AppendAsync(new PendingMessage("alice", conversation.Id, "w1", "first"))).Message;

        // Another connection holds the file's write lock, so the next batch waits at its BEGIN while a send and
        // a reaction queue up behind it: they then leave the queue together, as one batch.
        await using var holder = new SqliteConnection(ConnectionString);
        await holder.OpenAsync();
        await using var hold = (SqliteTransaction)await holder.BeginTransactionAsync();
        var waiting = _transactions.NextStart();
        var blocked = writer.AppendAsync(new PendingMessage("alice", conversation.Id, "w2", "second"));
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        var send = writer.AppendAsync(new PendingMessage("bob", conversation.Id, "w3", "third"));
        var reaction = writer.ChangeAsync(new PendingChange(ChangeKind.AddReaction, "bob", conversation.Id, first.Id, Emoji: "👍"));
        var before = _transactions.Committed;
        await hold.RollbackAsync();

        await blocked;
        var (sent, reacted) = (await send, await reaction);
        (_transactions.Committed - before).Should().Be(2, "the waiting send commits alone, then the send and the reaction commit together");
        sent.Message.Should().Match<Realtime.Contracts.MessageDto>(m => m.Sequence == 3 && m.Revision == 3);
        reacted.Message.Revision.Should().Be(4);
        reacted.Message.Reactions.Should().ContainSingle(r => r.Emoji == "👍");
        var row = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversation.Id);
        (row.LastSequence, row.LastRevision).Should().Be((3, 4));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Counts commits, and tells when the next transaction is about to begin.</summary>
    private sealed class TransactionCounter : DbTransactionInterceptor
    {
        private int _committed;
        private TaskCompletionSource _nextStart = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Committed => Volatile.Read(ref _committed);

        public Task NextStart()
        {
            _nextStart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _nextStart.Task;
        }

        public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            _nextStart.TrySetResult();
            return ValueTask.FromResult(result);
        }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _committed);
            return Task.CompletedTask;
        }
    }
}
