using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Database;

/// <summary>
/// The SQLite write gate: one writer at a time, incident turns ahead of queued sweep commits, and a
/// writer that gives up while queued never takes the gate with it.
/// </summary>
public class WriteGateTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task An_urgent_writer_goes_before_writers_queued_earlier()
    {
        var gate = new WriteGate(DatabaseProvider.Sqlite);
        var order = new List<string>();
        var first = await gate.EnterAsync(TestContext.Current.CancellationToken);

        var chunkA = Writer(gate, "chunk A", order, urgent: false);
        var chunkB = Writer(gate, "chunk B", order, urgent: false);
        var engine = Writer(gate, "engine", order, urgent: true);
        Assert.False(chunkA.IsCompleted || chunkB.IsCompleted || engine.IsCompleted); // all wait for the first writer

        first.Dispose();
        await Task.WhenAll(chunkA, chunkB, engine).WaitAsync(Soon, TestContext.Current.CancellationToken);
        Assert.Equal(["engine", "chunk A", "chunk B"], order);
    }

    [Fact]
    public async Task A_writer_cancelled_in_the_queue_leaves_the_gate_to_the_next()
    {
        var gate = new WriteGate(DatabaseProvider.Sqlite);
        var first = await gate.EnterAsync(TestContext.Current.CancellationToken);
        using var giveUp = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(giveUp.Token, urgent: true).AsTask();
        var order = new List<string>();
        var next = Writer(gate, "next", order, urgent: false);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Soon, TestContext.Current.CancellationToken));
        first.Dispose();
        await next.WaitAsync(Soon, TestContext.Current.CancellationToken);
        Assert.Equal(["next"], order);
        using var again = await gate.EnterAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Soon, TestContext.Current.CancellationToken); // free again
    }

    [Fact]
    public async Task On_PostgreSQL_nobody_waits()
    {
        var gate = new WriteGate(DatabaseProvider.Postgres);
        using var one = await gate.EnterAsync(TestContext.Current.CancellationToken);
        using var two = await gate.EnterAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Soon, TestContext.Current.CancellationToken);
    }

    private static async Task Writer(WriteGate gate, string name, List<string> order, bool urgent)
    {
        using var turn = await gate.EnterAsync(TestContext.Current.CancellationToken, urgent);
        lock (order)
        {
            order.Add(name);
        }
    }
}
