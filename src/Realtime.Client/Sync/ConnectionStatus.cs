namespace Realtime.Client.Sync;

/// <summary>
/// The connection's state as the application sees it, the epoch (a new one starts whenever the
/// connection is lost, so work of an old connection can tell it is stale) and a signal sends wait on.
/// </summary>
internal sealed class ConnectionStatus(ConversationSync sync)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _online = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionState _state = ConnectionState.Disconnected;
    private int _epoch;
    private bool _stopping;

    public ConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public int Epoch
    {
        get
        {
            lock (_gate)
            {
                return _epoch;
            }
        }
    }

    /// <summary>True once the application stopped or disposed the client: a closed connection stays closed.</summary>
    public bool Stopping
    {
        get
        {
            lock (_gate)
            {
                return _stopping;
            }
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
        }
    }

    /// <summary>Completes while the connection is up.</summary>
    public Task Online
    {
        get
        {
            lock (_gate)
            {
                return _online.Task;
            }
        }
    }

    public void Connected()
    {
        lock (_gate)
        {
            _online.TrySetResult();
        }
    }

    /// <returns>The epoch after the change.</returns>
    public int Set(ConnectionState state, Exception? error = null, bool lost = false)
    {
        lock (_gate)
        {
            if (lost)
            {
                _epoch++;
                if (_online.Task.IsCompleted)
                {
                    _online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            SetLocked(state, error);
            return _epoch;
        }
    }

    /// <summary>Publishes the resync's outcome and Connected, unless the connection was lost since <paramref name="epoch"/> began.</summary>
    public void ResyncCompleted(int epoch, ResyncCompleted completed)
    {
        lock (_gate)
        {
            if (_epoch == epoch)
            {
                sync.Publish(completed);
                SetLocked(ConnectionState.Connected, null);
            }
        }
    }

    private void SetLocked(ConnectionState state, Exception? error)
    {
        if (_state != state)
        {
            _state = state;
            sync.Publish(new ConnectionStateChanged(state, error));
        }
    }
}
