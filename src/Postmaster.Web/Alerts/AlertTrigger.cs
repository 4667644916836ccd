namespace Postmaster.Web.Alerts;

/// <summary>
/// Starts delivery right after a change with alerts commits (a sweep chunk, an ingest batch, a
/// person's change), without making that work wait for SMTP; and wakes again when the earliest
/// waiting delivery falls due (its stacking window ends, or its retry time comes). Pokes that arrive
/// during a pass fold into one more pass. The Quartz job is the catch-up behind it (a crash,
/// another instance's alerts).
/// </summary>
public sealed class AlertTrigger(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<AlertTrigger> log) : IDisposable
{
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly Lock _timerLock = new();
    private int _pending;
    private ITimer? _timer;
    private DateTimeOffset? _wakeAt;

    /// <summary>Delivers soon, in the background.</summary>
    public void Poke() => _ = Task.Run(() => RunAsync(lifetime.ApplicationStopping));

    /// <summary>One delivery pass (and more while pokes arrive); returns at once when a pass is already under way.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _pending, 1);
        while (Volatile.Read(ref _pending) == 1 && !ct.IsCancellationRequested)
        {
            if (!await _running.WaitAsync(0, CancellationToken.None))
            {
                return; // the pass under way picks this up
            }

            try
            {
                while (Interlocked.Exchange(ref _pending, 0) == 1 && !ct.IsCancellationRequested)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var next = await scope.ServiceProvider.GetRequiredService<AlertDispatcher>().RunAsync(ct);
                    if (next is { } due)
                    {
                        WakeAt(due);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (ObjectDisposedException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Alert delivery pass failed; the delivery job tries again");
            }
            finally
            {
                _running.Release();
            }
        }
    }

    /// <summary>Runs a pass at <paramref name="at"/> (or at an earlier time already set).</summary>
    public void WakeAt(DateTimeOffset at)
    {
        lock (_timerLock)
        {
            var now = time.GetUtcNow();
            if (_wakeAt is { } set && set <= at && set > now)
            {
                return;
            }

            _wakeAt = at;
            var wait = at - now;
            _timer?.Dispose();
            _timer = time.CreateTimer(_ => Poke(), null, wait > TimeSpan.Zero ? wait + TimeSpan.FromMilliseconds(50) : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_timerLock)
        {
            _timer?.Dispose();
        }

        _running.Dispose();
    }
}
