namespace Postmaster.Web.Infrastructure.Database;

/// <summary>
/// Queues this process's bulk writers (sweep chunk commits, incident turns) one behind the other on
/// SQLite. SQLite has a single writer, and Microsoft.Data.Sqlite waits for a busy lock by sleeping
/// and retrying, so four chunks committing at once spent hundreds of milliseconds asleep; waiting
/// here wakes the next writer as soon as the last one is done. PostgreSQL takes row locks: no gate.
/// <para>
/// Urgent writers go first: the incident engine and people's incident changes. A sweep of a /16
/// queues eight chunk commits of several seconds each; behind them, the incident for what the
/// first chunks found would wait for the whole sweep (65,536 listings appeared in an incident 38 s
/// after the sweep ended). The engine's turns are short and bounded by the events the chunks wrote.
/// </para>
/// </summary>
public sealed class WriteGate
{
    private readonly bool _enabled;
    private readonly object _lock = new();
    private readonly LinkedList<TaskCompletionSource> _urgent = new();
    private readonly LinkedList<TaskCompletionSource> _normal = new();
    private bool _held;

    public WriteGate(DatabaseProvider provider) => _enabled = provider == DatabaseProvider.Sqlite;

    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken, bool urgent = false)
    {
        if (!_enabled)
        {
            return default;
        }

        cancellationToken.ThrowIfCancellationRequested();
        LinkedListNode<TaskCompletionSource> waiting;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return new Turn(this);
            }

            waiting = (urgent ? _urgent : _normal).AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        await using (cancellationToken.Register(() => Abandon(waiting, cancellationToken)))
        {
            await waiting.Value.Task; // handed the gate by Release, or cancelled while still queued
        }

        return new Turn(this);
    }

    private void Abandon(LinkedListNode<TaskCompletionSource> waiting, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (waiting.List is null)
            {
                return; // already handed the gate: the waiter owns it and releases it
            }

            waiting.List.Remove(waiting);
        }

        waiting.Value.TrySetCanceled(cancellationToken);
    }

    private void Release()
    {
        TaskCompletionSource next;
        lock (_lock)
        {
            var node = _urgent.First ?? _normal.First;
            if (node is null)
            {
                _held = false;
                return;
            }

            node.List!.Remove(node);
            next = node.Value;
        }

        next.SetResult(); // the gate stays held: it passes to this waiter
    }

    public readonly struct Turn(WriteGate? held) : IDisposable
    {
        public void Dispose() => held?.Release();
    }
}
