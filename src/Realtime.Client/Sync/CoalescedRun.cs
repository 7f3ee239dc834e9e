namespace Realtime.Client.Sync;

/// <summary>
/// Runs work one at a time: a request while it runs makes it run once more afterwards, however many
/// requests came in, so a burst of triggers costs two runs and the last one sees the latest state.
/// </summary>
internal sealed class CoalescedRun
{
    private readonly Lock _gate = new();
    private bool _running;
    private bool _again;

    /// <param name="work">Must not throw: failures are the work's to log.</param>
    public void Request(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running)
            {
                _again = true;
                return;
            }

            _running = true;
        }

        _ = RunAsync(work, cancellationToken);
    }

    private async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (true)
        {
            try
            {
                await work(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Disposed.
            }

            lock (_gate)
            {
                if (!_again || cancellationToken.IsCancellationRequested)
                {
                    _running = false;
                    return;
                }

                _again = false;
            }
        }
    }
}
