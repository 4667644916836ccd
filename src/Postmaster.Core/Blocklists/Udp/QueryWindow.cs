namespace Postmaster.Core.Blocklists.Udp;

/// <summary>
/// Permits for DNS queries in flight, shared by the pipelines of a process. Senders (dedicated
/// threads) take them in batches and block while too few are free; receivers give them back one at
/// a time with an interlocked add and touch the lock only to wake a waiting sender once a batch is
/// free again. A per-answer wake-up (an awaited semaphore) cost more CPU than the queries themselves:
/// a thread-pool hop for every datagram, and a lock every sender and receiver fought over.
/// </summary>
public sealed class QueryWindow
{
    /// <summary>The most permits a sender takes at once; a waiting sender is woken when this many (or an eighth of the window) are free.</summary>
    public const int MaxBatch = 16;

    private readonly object _gate = new();
    private readonly int _batch;
    private int _free;
    private int _waiting;

    public QueryWindow(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        _free = size;
        _batch = Math.Clamp(size / 8, 1, MaxBatch);
    }

    public int Size { get; }

    public int Free => Volatile.Read(ref _free);

    /// <summary>Blocks until enough permits are free (a batch, or all that are wanted) and takes up to <paramref name="wanted"/>.</summary>
    public int Take(int wanted, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        var enough = Math.Min(wanted, _batch);
        while (true)
        {
            var free = Volatile.Read(ref _free);
            if (free >= enough)
            {
                var taken = Math.Min(wanted, free);
                if (Interlocked.CompareExchange(ref _free, free - taken, free) == free)
                {
                    return taken;
                }

                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                // Announce the wait before the last look, so a Return that misses it has already added its permits.
                Interlocked.Increment(ref _waiting);
                try
                {
                    if (Volatile.Read(ref _free) < enough)
                    {
                        Monitor.Wait(_gate, 50); // wakes for cancellation even if nobody pulses
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _waiting);
                }
            }
        }
    }

    /// <summary>Takes up to <paramref name="wanted"/> permits if any are free, without waiting; 0 when none are.</summary>
    public int TryTake(int wanted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        while (true)
        {
            var free = Volatile.Read(ref _free);
            if (free <= 0)
            {
                return 0;
            }

            var taken = Math.Min(wanted, free);
            if (Interlocked.CompareExchange(ref _free, free - taken, free) == free)
            {
                return taken;
            }
        }
    }

    public void Return(int count)
    {
        if (count <= 0)
        {
            return;
        }

        var free = Interlocked.Add(ref _free, count);
        if (Volatile.Read(ref _waiting) > 0 && free >= _batch)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }
}
