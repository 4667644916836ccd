namespace Postmaster.Web.Incidents;

/// <summary>
/// Runs the engine right after a sweep chunk or ingest batch commits, in its own scope. Calls that
/// arrive while it runs fold into one more pass instead of queueing behind each other: eight chunks
/// finishing together cost two passes, not eight.
/// </summary>
public sealed class IncidentTrigger(IServiceScopeFactory scopes) : IDisposable
{
    private readonly SemaphoreSlim _running = new(1, 1);
    private int _pending;

    public async Task RunAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _pending, 1);
        while (Volatile.Read(ref _pending) == 1)
        {
            if (!await _running.WaitAsync(0, ct))
            {
                return; // the pass under way picks this up
            }

            try
            {
                while (Interlocked.Exchange(ref _pending, 0) == 1)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<IncidentEngine>().TryCatchUpAsync(ct);
                }
            }
            finally
            {
                _running.Release();
            }
        }
    }

    public void Dispose() => _running.Dispose();
}
