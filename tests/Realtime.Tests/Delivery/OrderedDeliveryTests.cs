using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Realtime.Contracts;
using Realtime.Server.Delivery;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Delivery;

public sealed class OrderedDeliveryTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _clock = new();
    private readonly StoredMessages _database = new();
    private readonly RecordingSink _sink = new();
    private readonly OrderedDelivery _delivery;

    public OrderedDeliveryTests() =>
        _delivery = new OrderedDelivery(_database, _sink, _clock, new DeliveryOrderOptions(Wait, 100), NullLogger<OrderedDelivery>.Instance);

    public void Dispose() => _delivery.Dispose();

    private static LogEntry Message(long revision) =>
        LogEntry.Created(new($"m{revision}", "c", revision, "alice", $"client-{revision}", $"text {revision}", DateTime.UtcNow, revision, null, null, null, []));

    [Fact]
    public async Task A_message_whose_publish_was_lost_is_read_back_after_the_wait_and_goes_out_before_the_one_behind_it()
    {
        _delivery.Track("c", 0);
        _database.Add(Message(1), Message(2), Message(3));

        await _delivery.DeliverAsync([Message(1), Message(3)]);
        _sink.Sequences.Should().Equal(1);

        _clock.Advance(Wait);
        await Eventually.Async(() => _sink.Sequences.Should().Equal(1, 2, 3));
    }

    [Fact]
    public async Task A_read_back_that_fails_passes_the_gap_over_and_later_messages_still_go_out()
    {
        _delivery.Track("c", 0);
        _database.Failing = true;

        await _delivery.DeliverAsync([Message(1), Message(3)]);
        _clock.Advance(Wait);

        await Eventually.Async(() => _sink.Sequences.Should().Equal(1, 3));
        await _delivery.DeliverAsync([Message(4)]);
        _sink.Sequences.Should().Equal(1, 3, 4);
    }

    [Fact]
    public async Task Catching_up_delivers_what_was_committed_meanwhile_without_waiting_for_a_later_message()
    {
        _delivery.Track("c", 0);
        await _delivery.DeliverAsync([Message(1)]);
        _database.Add(Message(1), Message(2), Message(3));

        await _delivery.CatchUpAsync(CancellationToken.None);

        await Eventually.Async(() => _sink.Sequences.Should().Equal(1, 2, 3));
    }

    /// <summary>The database as delivery sees it, in memory: the pipeline is what is under test here.</summary>
    private sealed class StoredMessages : IGapReader
    {
        private readonly ConcurrentDictionary<long, LogEntry> _messages = new();

        public bool Failing { get; set; }

        public void Add(params LogEntry[] messages)
        {
            foreach (var message in messages)
            {
                _messages[message.Revision] = message;
            }
        }

        public Task<IReadOnlyList<LogEntry>> ReadAsync(string conversationId, long afterRevision, long upToRevision, CancellationToken cancellationToken) =>
            Failing
                ? Task.FromException<IReadOnlyList<LogEntry>>(new InvalidOperationException("The database is away."))
                : Task.FromResult<IReadOnlyList<LogEntry>>(_messages.Values.Where(m => m.Revision > afterRevision && m.Revision <= upToRevision).OrderBy(m => m.Revision).ToList());

        public Task<IReadOnlyDictionary<string, long>> ReadLastRevisionsAsync(IReadOnlyCollection<string> conversationIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long> { ["c"] = _messages.Keys.DefaultIfEmpty(0).Max() });
    }

    private sealed class RecordingSink : IDeliverySink
    {
        private readonly ConcurrentQueue<LogEntry> _written = new();

        public IReadOnlyList<long> Sequences => _written.Select(m => m.Revision).ToList();

        public Task WriteAsync(IReadOnlyList<LogEntry> messages)
        {
            foreach (var message in messages)
            {
                _written.Enqueue(message);
            }

            return Task.CompletedTask;
        }
    }
}
