using System.Threading.Channels;

namespace Realtime.Server.Delivery;

/// <summary>
/// This node's one delivery pipeline: committed batches (this node's own and the other nodes') in,
/// each conversation's log entries out to <see cref="IDeliverySink"/> in revision order with no gap and
/// no duplicate. One writer takes everything that queued up while it wrote, so on N nodes a member
/// still gets one write for what arrived meanwhile rather than one per node it came from. Gaps are
/// read back through <see cref="IGapReader"/> off the writer, and their results come back through
/// the same queue, so <see cref="DeliveryOrder{T}"/> only ever sees one caller at a time.
/// </summary>
public sealed partial class OrderedDelivery : IDisposable
{
    private readonly IGapReader _gaps;
    private readonly IDeliverySink _sink;
    private readonly ILogger<OrderedDelivery> _logger;
    private readonly Action<bool>? _gapEnded;
    private readonly DeliveryOrder<LogEntry> _order;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ITimer _gapTimer;
    private readonly CancellationTokenSource _stopping = new();

    // Joins and leaves take effect at once rather than in the queue: a member that joined is counted
    // by the next batch the writer takes, whatever is already queued.
    private readonly Lock _gate = new();

    /// <param name="gapEnded">Told of each gap whose wait ran out: true when it is read back, false when passed over.</param>
    public OrderedDelivery(IGapReader gaps, IDeliverySink sink, TimeProvider clock, DeliveryOrderOptions options, ILogger<OrderedDelivery> logger, Action<bool>? gapEnded = null)
    {
        _gaps = gaps;
        _sink = sink;
        _logger = logger;
        _gapEnded = gapEnded;
        _order = new DeliveryOrder<LogEntry>(clock, options, gap =>
        {
            LogGapPassedOver(logger, gap.ConversationId, gap.After, gap.UpTo);
            gapEnded?.Invoke(false);
        });
        _gapTimer = clock.CreateTimer(_ => _work.Writer.TryWrite(Work.Wake), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _ = Task.Run(WriteAsync);
    }

    /// <summary>Delivers a committed batch here; completes once it is written, or held back behind an earlier message still on its way.</summary>
    public Task DeliverAsync(IReadOnlyList<LogEntry> entries)
    {
        var work = new Work(entries);
        return _work.Writer.TryWrite(work) ? work.Done.Task : Task.CompletedTask;
    }

    /// <inheritdoc cref="DeliveryOrder{T}.Track"/>
    public void Track(string conversationId, long? lastRevision)
    {
        lock (_gate)
        {
            _order.Track(conversationId, lastRevision);
        }
    }

    /// <inheritdoc cref="DeliveryOrder{T}.Untrack"/>
    public void Untrack(string conversationId)
    {
        lock (_gate)
        {
            _order.Untrack(conversationId);
        }
    }

    /// <summary>
    /// Reads where every conversation with members here (or those of <c>only</c> among them) stands in the database and delivers what this
    /// node missed meanwhile (the publish path was away), without waiting for a later message to show the gap.
    /// </summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken, IReadOnlyCollection<string>? only = null)
    {
        List<string> tracked;
        lock (_gate)
        {
            tracked = only is null ? [.. _order.Tracked] : only.Where(_order.IsTracked).ToList();
        }

        if (tracked.Count == 0)
        {
            return;
        }

        var last = await _gaps.ReadLastRevisionsAsync(tracked, cancellationToken);
        _work.Writer.TryWrite(new Work([]) { Advance = last });
    }

    private async Task WriteAsync()
    {
        var reader = _work.Reader;
        while (await reader.WaitToReadAsync())
        {
            var taken = new List<Work>();
            var ready = new List<LogEntry>();
            IReadOnlyList<GapRead> reads;
            lock (_gate)
            {
                while (reader.TryRead(out var work))
                {
                    taken.Add(work);
                    Apply(work, ready);
                }

                reads = _order.TakeDueReads(ready);
            }

            foreach (var read in reads)
            {
                _ = FillAsync(read);
            }

            // Before anyone hears their batch is out, so a wait that starts now is already counting.
            ArmGapTimer();
            try
            {
                if (ready.Count > 0)
                {
                    await _sink.WriteAsync(ready);
                }

                taken.ForEach(work => work.Done.TrySetResult());
            }
            catch (Exception exception)
            {
                taken.ForEach(work => work.Done.TrySetException(exception));
            }
        }
    }

    private void Apply(Work work, List<LogEntry> ready)
    {
        foreach (var entry in work.Entries)
        {
            _order.Admit(entry.ConversationId, entry.Revision, entry, ready);
        }

        if (work.FillOf is { } read)
        {
            _order.Filled(read, work.Filled?.Select(e => (e.Revision, e)).ToList(), ready);
        }

        foreach (var (conversationId, last) in work.Advance ?? new Dictionary<string, long>())
        {
            _order.AdvanceTo(conversationId, last);
        }
    }

    private async Task FillAsync(GapRead read)
    {
        IReadOnlyList<LogEntry>? found;
        try
        {
            found = await _gaps.ReadAsync(read.ConversationId, read.After, read.UpTo, _stopping.Token);
            LogGapFilled(_logger, found.Count, read.ConversationId);
            _gapEnded?.Invoke(true);
        }
        catch (Exception exception)
        {
            LogGapFillFailed(_logger, read.ConversationId, exception);
            found = null;
        }

        _work.Writer.TryWrite(new Work([]) { FillOf = read, Filled = found });
    }

    private void ArmGapTimer()
    {
        TimeSpan? due;
        lock (_gate)
        {
            due = _order.NextDue();
        }

        if (due is { } wait)
        {
            _gapTimer.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        // Whoever owns it may dispose it, and the container too.
        if (_work.Writer.TryComplete())
        {
            _gapTimer.Dispose();
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    /// <summary>A batch to deliver; or a gap read back (<see cref="FillOf"/>); or where conversations stand; or, empty, a wake-up.</summary>
    private sealed class Work(IReadOnlyList<LogEntry> entries)
    {
        public static readonly Work Wake = new([]);

        public IReadOnlyList<LogEntry> Entries { get; } = entries;

        public GapRead? FillOf { get; init; }

        /// <summary>What the read found; null when it failed.</summary>
        public IReadOnlyList<LogEntry>? Filled { get; init; }

        public IReadOnlyDictionary<string, long>? Advance { get; init; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Count} changes of conversation {ConversationId} that this node had not received back from the database")]
    private static partial void LogGapFilled(ILogger logger, int count, string conversationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading missed messages of conversation {ConversationId} back from the database failed")]
    private static partial void LogGapFillFailed(ILogger logger, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Passing over a gap in conversation {ConversationId} after revision {After} up to {UpTo}; its members catch up with GetChanges")]
    private static partial void LogGapPassedOver(ILogger logger, string conversationId, long after, long upTo);
}
