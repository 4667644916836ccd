namespace Postmaster.Core.Blocklists.Udp;

/// <summary>
/// Permits for DNS queries in flight, shared by the pipelines of a process. Senders (dedicated
/// threads) take them in batches and block while none are free; receivers give them back one at a
/// time and wake a sender only once a batch is free again. A per-answer wake-up (an awaited
/// semaphore) cost more CPU than the queries themselves: a thread-pool hop for every datagram.
/// </summary>
public sealed class QueryWindow
{
    private readonly object _gate = new();
    private readonly int _batch;
    private int _free;
    private int _waiting;

    public QueryWindow(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        _free = size;
        _batch = Math.Max(1, size / 8);
    }

    public int Size { get; }

    public int Free
    {
        get
        {
            lock (_gate)
            {
                return _free;
            }
        }
    }

    /// <summary>Blocks until some permits are free and takes up to <paramref name="wanted"/> of them.</summary>
    public int Take(int wanted, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        var enough = Math.Min(wanted, _batch);
        lock (_gate)
        {
            while (_free < enough)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _waiting++;
                try
                {
                    Monitor.Wait(_gate, 50); // wakes for cancellation even if nobody pulses
                }
                finally
                {
                    _waiting--;
                }
            }

            var taken = Math.Min(wanted, _free);
            _free -= taken;
            return taken;
        }
    }

    public void Return(int count)
    {
        if (count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _free += count;
            if (_waiting > 0 && _free >= _batch)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }
}
