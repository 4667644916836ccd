using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>
/// Every write to incidents (the engine's, a person's) happens in a turn: one transaction at a
/// time across all instances, so a person's change and the engine's never overwrite each other.
/// On PostgreSQL an advisory lock held for the transaction; on SQLite (one instance, one writer)
/// the process's write gate.
/// </summary>
public sealed class IncidentTurns(PostmasterDbContext db, WriteGate writeGate)
{
    /// <summary>An arbitrary constant: the PostgreSQL advisory lock every instance takes (internal: a test holds it to line instances up).</summary>
    internal const long AdvisoryLock = 0x506d_496e_6369;

    /// <summary>Runs <paramref name="work"/> in a transaction of its own and commits what it saved, unless it returns false.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<(bool Commit, T Result)>> work, CancellationToken ct)
    {
        using var turn = await writeGate.EnterAsync(ct, urgent: true);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLock})", ct);
        }

        try
        {
            var (commit, result) = await work(ct);
            if (commit)
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }

            return result;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
