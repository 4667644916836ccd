namespace Postmaster.Web.Infrastructure.Database;

/// <summary>
/// Queues this process's bulk writers (sweep chunk commits) one behind the other on SQLite. SQLite
/// has a single writer, and Microsoft.Data.Sqlite waits for a busy lock by sleeping and retrying, so
/// four chunks committing at once spent hundreds of milliseconds asleep; waiting here wakes the
/// next writer as soon as the last one is done. PostgreSQL takes row locks: no gate.
/// </summary>
public sealed class WriteGate : IDisposable
{
    private readonly SemaphoreSlim? _sqlite;

    public WriteGate(DatabaseProvider provider) =>
        _sqlite = provider == DatabaseProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;

    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            await _sqlite.WaitAsync(cancellationToken);
        }

        return new Turn(_sqlite);
    }

    public void Dispose() => _sqlite?.Dispose();

    public readonly struct Turn(SemaphoreSlim? held) : IDisposable
    {
        public void Dispose() => held?.Release();
    }
}
