namespace Realtime.Server.Delivery;

/// <summary>
/// Where each conversation's delivery on this node stands, and what may go out next: items in, items
/// out in position order with no gap and no duplicate. Every node publishes what it committed on its
/// own, so an item can arrive ahead of an earlier one still on its way from another node, or never
/// (a lost publish, Redis away). An item ahead of a gap is held back; a gap still open after
/// <see cref="DeliveryOrderOptions.GapWait"/> is handed out as a <see cref="GapRead"/> to read back from
/// the database; a gap wider than <see cref="DeliveryOrderOptions.MaxGapFill"/>, or whose read fails,
/// is passed over (members catch up through their own resync).
/// Not thread-safe: one caller at a time (see <see cref="OrderedDelivery"/>).
/// </summary>
public sealed class DeliveryOrder<T>(TimeProvider clock, DeliveryOrderOptions options, Action<GapPassedOver>? passedOver = null)
{
    private readonly Dictionary<string, Cursor> _cursors = new(StringComparer.Ordinal);

    public int TrackedCount => _cursors.Count;

    public IReadOnlyCollection<string> Tracked => _cursors.Keys;

    public bool IsTracked(string conversationId) => _cursors.ContainsKey(conversationId);

    /// <summary>
    /// Starts delivering a conversation's items here, after <paramref name="deliveredUpTo"/> (its last
    /// position as read before its first local member joined: that member reads what came before from
    /// the database), or, when null, from the first item that arrives. A conversation already tracked
    /// keeps its place.
    /// </summary>
    public void Track(string conversationId, long? deliveredUpTo)
    {
        if (!_cursors.ContainsKey(conversationId))
        {
            _cursors[conversationId] = new Cursor(conversationId) { Delivered = deliveredUpTo };
        }
    }

    /// <summary>Forgets a conversation that no longer has members here; a read back in flight for it is then ignored.</summary>
    public void Untrack(string conversationId) => _cursors.Remove(conversationId);

    /// <summary>Takes one committed item; what may now go out is appended to <paramref name="ready"/>, in order.</summary>
    public void Admit(string conversationId, long position, T item, List<T> ready)
    {
        if (_cursors.TryGetValue(conversationId, out var cursor))
        {
            Admit(cursor, position, item, ready);
        }
    }

    /// <summary>
    /// Learns that a conversation's items reach at least <paramref name="lastPosition"/> (read from the
    /// database after an outage of the publish path): anything between here and there is read back at
    /// once, without waiting for a later item to show the gap.
    /// </summary>
    public void AdvanceTo(string conversationId, long lastPosition)
    {
        if (!_cursors.TryGetValue(conversationId, out var cursor) || cursor.Delivered is not { } delivered || lastPosition <= delivered)
        {
            return;
        }

        cursor.KnownLast = Math.Max(cursor.KnownLast, lastPosition);
        cursor.DueAt = clock.GetTimestamp();
    }

    /// <summary>
    /// The gaps whose wait is over: each is to be read back and handed to <see cref="Filled"/>. A gap too
    /// wide to read is passed over here, and what it held back is appended to <paramref name="ready"/>.
    /// </summary>
    public IReadOnlyList<GapRead> TakeDueReads(List<T> ready)
    {
        var now = clock.GetTimestamp();
        List<GapRead>? reads = null;
        foreach (var cursor in _cursors.Values)
        {
            if (cursor.Filling || !cursor.HasGap || cursor.DueAt > now)
            {
                continue;
            }

            var after = cursor.Delivered!.Value;
            var upTo = cursor.GapEnd;
            if (upTo - after > options.MaxGapFill)
            {
                PassOver(cursor, upTo, ready);
                continue;
            }

            cursor.Filling = true;
            (reads ??= []).Add(new GapRead(cursor, cursor.ConversationId, after, upTo));
        }

        return reads ?? (IReadOnlyList<GapRead>)[];
    }

    /// <summary>
    /// Ends a read back: <paramref name="items"/> are what the database has in the gap, or null when the
    /// read failed (the gap is then passed over). The database is the record: a position it no longer
    /// holds was superseded by a later change to the same item, which comes after, so a read that
    /// succeeded closes the whole gap with what it found.
    /// </summary>
    public void Filled(GapRead read, IReadOnlyList<(long Position, T Item)>? items, List<T> ready)
    {
        var cursor = (Cursor)read.Owner;
        if (!_cursors.TryGetValue(cursor.ConversationId, out var current) || !ReferenceEquals(current, cursor))
        {
            return;
        }

        cursor.Filling = false;
        if (items is null)
        {
            if (cursor.Delivered < read.UpTo)
            {
                PassOver(cursor, read.UpTo, ready);
            }

            return;
        }

        foreach (var (position, item) in items.OrderBy(i => i.Position))
        {
            if (position > cursor.Delivered && position <= read.UpTo)
            {
                cursor.Held?.Remove(position);
                ready.Add(item);
                cursor.Delivered = position;
            }
        }

        if (cursor.Delivered < read.UpTo)
        {
            cursor.Delivered = read.UpTo;
        }

        Release(cursor, ready);
    }

    /// <summary>How long until the next gap's wait is over, or null when no gap waits.</summary>
    public TimeSpan? NextDue()
    {
        long? earliest = null;
        foreach (var cursor in _cursors.Values)
        {
            if (!cursor.Filling && cursor.HasGap && (earliest is null || cursor.DueAt < earliest))
            {
                earliest = cursor.DueAt;
            }
        }

        if (earliest is not { } due)
        {
            return null;
        }

        var left = due - clock.GetTimestamp();
        return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(left / (double)clock.TimestampFrequency);
    }

    private void Admit(Cursor cursor, long position, T item, List<T> ready)
    {
        var delivered = cursor.Delivered ??= position - 1;
        if (position <= delivered)
        {
            // Out already (a gap read back, then the late publish), or committed before the first member here joined.
            return;
        }

        if (position > delivered + 1)
        {
            if (!cursor.HasGap)
            {
                cursor.DueAt = clock.GetTimestamp() + WaitTicks;
            }

            (cursor.Held ??= []).TryAdd(position, item);
            return;
        }

        ready.Add(item);
        cursor.Delivered = position;
        Release(cursor, ready);
    }

    /// <summary>Sends what is held and now follows on; a gap still ahead starts its wait again, since the stream moved.</summary>
    private void Release(Cursor cursor, List<T> ready)
    {
        var moved = false;
        var held = cursor.Held;
        while (held is { Count: > 0 } && held.Keys[0] <= cursor.Delivered + 1)
        {
            var position = held.Keys[0];
            var next = held.Values[0];
            held.RemoveAt(0);
            if (position == cursor.Delivered + 1)
            {
                ready.Add(next);
                cursor.Delivered = position;
                moved = true;
            }
        }

        if (held is { Count: 0 })
        {
            cursor.Held = null;
        }

        if (cursor.KnownLast <= cursor.Delivered)
        {
            cursor.KnownLast = 0;
        }

        if (moved && cursor.HasGap)
        {
            cursor.DueAt = clock.GetTimestamp() + WaitTicks;
        }
    }

    private void PassOver(Cursor cursor, long upTo, List<T> ready)
    {
        passedOver?.Invoke(new GapPassedOver(cursor.ConversationId, cursor.Delivered!.Value, upTo));
        cursor.Delivered = upTo;
        Release(cursor, ready);
    }

    private long WaitTicks => (long)(options.GapWait.TotalSeconds * clock.TimestampFrequency);

    private sealed class Cursor(string conversationId)
    {
        public string ConversationId { get; } = conversationId;

        /// <summary>The last position out; unknown until the first item of a conversation tracked without one.</summary>
        public long? Delivered { get; set; }

        public SortedList<long, T>? Held { get; set; }

        /// <summary>A position the database is known to hold (0: none beyond what is out).</summary>
        public long KnownLast { get; set; }

        public long DueAt { get; set; }

        public bool Filling { get; set; }

        public bool HasGap => Delivered is { } delivered && (Held is { Count: > 0 } || KnownLast > delivered);

        /// <summary>The last missing position of the gap just after what is out.</summary>
        public long GapEnd => Held is { Count: > 0 } held ? held.Keys[0] - 1 : KnownLast;
    }
}
