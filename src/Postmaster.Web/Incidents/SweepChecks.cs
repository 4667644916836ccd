using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Incidents;
using Postmaster.Web.Blocklists;

namespace Postmaster.Web.Incidents;

/// <summary>
/// A completed sweep run is a check of every incident whose listed values it asked about: clean
/// when every affected value's lists were asked without an unknown answer and none is listed any
/// more; no check at all when a list was skipped, ran out of budget or answered unknown. A failed
/// run never gets here (only completed runs count). Severity settles here too, once per run.
/// </summary>
public sealed class SweepChecks(Infrastructure.Database.PostmasterDbContext db)
{
    internal async Task<int> ApplyAsync(IncidentWork work, CancellationToken ct)
    {
        var run = await db.SweepRuns.AsNoTracking()
            .Where(r => r.State == SweepState.Completed && r.IncidentsAppliedAt == null)
            .OrderBy(r => r.Id)
            .FirstOrDefaultAsync(ct);
        if (run is null || await db.ListingEvents.AnyAsync(e => e.RunId == run.Id && e.ProcessedAt == null, ct))
        {
            return 0; // the run's own events go first
        }

        var claimed = await db.SweepRuns.Where(r => r.Id == run.Id && r.IncidentsAppliedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.IncidentsAppliedAt, work.Now), ct);
        if (claimed != 1)
        {
            return 0;
        }

        var plan = SweepPlan.FromJson(run.PlanJson);
        var targets = plan.Assets.ToDictionary(a => a.Id, a => a.TargetCount);
        var statuses = await db.AssetListStatuses.AsNoTracking()
            .Where(s => s.RunId == run.Id)
            .ToDictionaryAsync(s => (s.AssetId, s.BlocklistId), ct);

        var incidents = await db.Incidents.Where(i => i.ActiveMarker == 1 && i.HasListings).OrderBy(i => i.Id).ToListAsync(ct);
        foreach (var chunk in incidents.Chunk(200))
        {
            var ids = chunk.Select(i => i.Id).ToList();

            // Which (asset, list) pairs hold each incident's listed values: the sweep must have asked all of them.
            var cells = await (
                    from v in db.IncidentValues
                    where ids.Contains(v.IncidentId) && v.Basis == IncidentBasis.Listing
                    join l in db.Listings on new { Id = v.BlocklistId ?? 0, v.Value } equals new { Id = l.BlocklistId, l.Value }
                    select new { v.IncidentId, l.AssetId, l.BlocklistId, v.Value, v.Active })
                .ToListAsync(ct);
            var cellsOf = cells.ToLookup(c => c.IncidentId);
            foreach (var incident in chunk)
            {
                var mine = cellsOf[incident.Id].ToList();
                var asked = mine.Count > 0 && mine.Select(c => (c.AssetId, c.BlocklistId)).Distinct().All(cell =>
                    statuses.TryGetValue(cell, out var status)
                    && status.Unknown == 0
                    && targets.TryGetValue(cell.AssetId, out var count) && status.Queried >= count);
                var stillListed = mine.Where(c => c.Active).Select(c => c.Value).Distinct().Count();

                var at = run.FinishedAt ?? work.Now;
                await work.ApplyAsync(incident, IncidentRules.Decide(incident.Facts(), new SweepEnded(at, run.Id, asked, stillListed), work.Policy), at, ct);
                if (incident.ActiveMarker == 1 && asked)
                {
                    var assessed = SeverityRule.Assess(incident.Weight, Math.Max(stillListed, 1), incident.GroupSize);
                    await work.ApplyAsync(incident, IncidentRules.Settle(incident.Facts(), assessed), at, ct);
                }
            }
        }

        return 1;
    }
}
