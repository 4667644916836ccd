using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Alerts;

/// <summary>
/// Making deliveries and claiming them happen one transaction at a time across all instances, as
/// incident writes do (<see cref="Incidents.IncidentTurns"/>), under a lock of their own: a
/// PostgreSQL advisory lock held for the transaction, the write gate on SQLite. A claimed delivery
/// carries a lease, so two instances never send the same one; sending itself happens outside.
/// </summary>
public sealed class AlertTurns(PostmasterDbContext db, WriteGate writeGate)
{
    /// <summary>An arbitrary constant, not the incidents' one: delivering never waits for the engine.</summary>
    internal const long AdvisoryLock = 0x506d_416c_7274;

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        using var turn = await writeGate.EnterAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLock})", ct);
        }

        try
        {
            var result = await work(ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return result;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
