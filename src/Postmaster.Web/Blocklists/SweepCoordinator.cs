using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Database;
using Quartz;

namespace Postmaster.Web.Blocklists;

/// <summary>Queues sweep runs: at most one at a time, enforced by the database.</summary>
public sealed class SweepCoordinator(PostmasterDbContext db, ISchedulerFactory schedulers, AuditTrail audit, TimeProvider time, ILogger<SweepCoordinator> log)
{
    public sealed record Queued(SweepRun Run, bool AlreadyRunning);

    public async Task<Queued> QueueAsync(IReadOnlyCollection<long> assetIds, string trigger, string? requestedBy, CancellationToken ct)
    {
        if (await ActiveAsync(ct) is { } active)
        {
            return new Queued(active, true);
        }

        var run = new SweepRun
        {
            State = SweepState.Queued,
            ActiveMarker = 1,
            Trigger = trigger,
            RequestedBy = requestedBy,
            AssetFilterJson = JsonSerializer.Serialize(assetIds),
            CreatedAt = time.GetUtcNow(),
        };
        db.SweepRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request or instance queued one first; the unique marker says so.
            db.ChangeTracker.Clear();
            if (await ActiveAsync(ct) is { } winner)
            {
                return new Queued(winner, true);
            }

            throw;
        }

        var scheduler = await schedulers.GetScheduler(ct);
        await scheduler.ScheduleJob(
            SweepJobs.StartJob(run.Id),
            TriggerBuilder.Create().WithIdentity($"sweep-{run.Id}-start", SweepJobs.Group).StartNow().Build(),
            cancellationToken: ct);
        log.LogInformation("Sweep {RunId} queued ({Trigger}, {Assets} assets asked for)", run.Id, trigger, assetIds.Count == 0 ? "all" : assetIds.Count);
        await audit.RecordAsync(AuditActions.SweepStarted, $"sweep {run.Id}", $"{trigger}, {(assetIds.Count == 0 ? "all" : assetIds.Count)} assets", ct);
        return new Queued(run, false);
    }

    public Task<SweepRun?> ActiveAsync(CancellationToken ct) =>
        db.SweepRuns.AsNoTracking().FirstOrDefaultAsync(r => r.ActiveMarker == 1, ct);

    /// <summary>
    /// With the in-memory job store a restart loses queued jobs, so runs left active by the previous
    /// process can never finish: close them, saying why. The clustered store recovers them instead.
    /// </summary>
    public static async Task FailInterruptedSweepsAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        await db.SweepRuns.Where(r => r.ActiveMarker == 1).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, SweepState.Failed)
            .SetProperty(r => r.ActiveMarker, (int?)null)
            .SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.Error, "Interrupted: the app stopped before the sweep finished."), ct);
    }
}
