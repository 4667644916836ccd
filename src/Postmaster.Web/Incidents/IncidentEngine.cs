using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Web.Alerts;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>
/// Turns listing events, episode events and finished sweeps into incidents. Each transaction
/// claims a batch of unprocessed events (marks them processed) and applies them in the same
/// commit: a crash applies nothing and the batch is claimed again; two instances never apply one
/// event twice. Ids are not a cursor (chunks commit concurrently, so on PostgreSQL ids become
/// visible out of order): what is unprocessed is what the rows say. Transactions take turns
/// across instances (<see cref="IncidentTurns"/>).
/// </summary>
public sealed class IncidentEngine(
    PostmasterDbContext db,
    IncidentTurns turns,
    ListingEvidence listings,
    RejectionEvidence rejections,
    SweepChecks sweeps,
    IOptions<IncidentOptions> options,
    AlertTrigger alerts,
    TimeProvider time,
    ILogger<IncidentEngine> log)
{
    /// <summary>Applies everything pending, a bounded batch per transaction; returns how many events and runs it applied.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        var total = 0;
        for (var pass = 0; pass < 100_000; pass++)
        {
            var applied = await InTurnAsync(listings.ApplyAsync, ct)
                + await InTurnAsync(rejections.ApplyAsync, ct)
                + await InTurnAsync(sweeps.ApplyAsync, ct);
            if (applied == 0)
            {
                break;
            }

            total += applied;
        }

        await InTurnAsync(rejections.AcceptedAgainAsync, ct);
        return total;
    }

    /// <summary>
    /// Runs right after a sweep chunk or ingest batch commits, so an incident appears within seconds.
    /// A failure here loses nothing (the events stay unprocessed for the catch-up job) and must not
    /// fail the work that produced them.
    /// </summary>
    public async Task TryCatchUpAsync(CancellationToken ct)
    {
        try
        {
            await CatchUpAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            db.ChangeTracker.Clear();
            log.LogWarning(e, "Incident engine: applying events failed; the catch-up job tries again");
        }
    }

    /// <summary>
    /// An asset left the inventory: its active incidents end as <c>wont-fix</c> ("asset removed"),
    /// their history kept. Later evidence about its addresses opens incidents outside the inventory.
    /// </summary>
    public Task<int> CloseForRemovedAssetAsync(long assetId, string value, string actor, CancellationToken ct) =>
        InTurnAsync(async (work, token) =>
        {
            var incidents = await db.Incidents.Where(i => i.AssetId == assetId).ToListAsync(token);
            foreach (var incident in incidents)
            {
                (incident.AssetId, incident.InInventory) = (null, false);
                if (incident.ActiveMarker != 1)
                {
                    continue;
                }

                incident.Apply(incident.Facts() with { State = Core.Incidents.IncidentState.WontFix, ClosedAt = work.Now });
                incident.LastActivityAt = work.Now;
                db.IncidentTimeline.Add(new IncidentTimelineEntry
                {
                    IncidentId = incident.Id,
                    At = work.Now,
                    Kind = "wont-fix",
                    Actor = ColumnText.Fit(actor, 300)!,
                    Detail = ColumnText.Fit($"Asset removed: {value} left the inventory.", IncidentTimelineEntry.MaxDetailLength)!,
                });
            }

            return Math.Max(incidents.Count, 1);
        }, ct);

    private async Task<int> InTurnAsync(Func<IncidentWork, CancellationToken, Task<int>> step, CancellationToken ct)
    {
        var work = new IncidentWork(db, options.Value.Policy, time.GetUtcNow());
        var started = time.GetTimestamp();
        var applied = await turns.RunAsync(async token =>
        {
            var count = await step(work, token);
            if (count > 0)
            {
                // In the same transaction as the change: both commit, or neither.
                await AlertOutbox.AddIncidentChangesAsync(db, work.Alerts, work.Now, token);
            }

            return (count > 0, count);
        }, ct);
        if (applied > 0)
        {
            log.LogDebug("Incident engine: {Step} applied {Count} in {Ms:F0} ms (turn and commit included)", step.Method.DeclaringType?.Name, applied, time.GetElapsedTime(started).TotalMilliseconds);
        }

        foreach (var (incident, kind, _) in work.Alerts)
        {
            log.LogInformation("Incident {IncidentId} ({Provider}, {Group}): {Change}", incident.Id, incident.Provider, incident.GroupValue, kind);
        }

        if (applied > 0 && work.Alerts.Count > 0)
        {
            alerts.Poke();
        }

        return applied;
    }
}
