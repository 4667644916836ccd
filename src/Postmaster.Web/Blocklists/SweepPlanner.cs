using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Alerts;
using Postmaster.Web.Infrastructure.Database;
using Quartz;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// Starts a queued run: checks each enabled list's health (RFC 5782 test points), fixes the plan,
/// applies daily query budgets, writes the chunks and schedules one Quartz job per chunk. A run with
/// no list left to ask ends <see cref="SweepState.Failed"/> at once: it checked nothing.
/// </summary>
public sealed class SweepPlanner(
    PostmasterDbContext db,
    ListHealthChecks healthChecks,
    DnsblResolver resolver,
    ISchedulerFactory schedulers,
    IOptions<BlocklistOptions> options,
    TimeProvider time,
    ILogger<SweepPlanner> log)
{
    public async Task StartAsync(long runId, CancellationToken ct)
    {
        var run = await db.SweepRuns.FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.State is SweepState.Completed or SweepState.Failed)
        {
            return;
        }

        if (run.State == SweepState.Running)
        {
            // Recovered after a crash between planning and scheduling: schedule what is missing.
            await ScheduleChunksAsync(run, ct);
            return;
        }

        try
        {
            var notes = new StringBuilder();
            var plan = await PlanAsync(run, notes, ct);
            var now = time.GetUtcNow();
            run.PlanJson = plan.ToJson();
            run.StartedAt = now;
            if (plan.Lists.Count == 0)
            {
                // Nothing can be asked: the run checked nothing, so it must not read as a clean check.
                await FailUncheckedAsync(run, plan, notes, now, ct);
                return;
            }

            run.ChunksTotal = plan.ChunkCount;
            run.Total = TotalQueries(plan, await HealthyDefinitionsAsync(plan, ct));
            run.Notes = notes.Length == 0 ? null : ColumnText.Fit(notes.ToString().Trim(), 4000);
            run.State = SweepState.Running;
            for (var i = 0; i < plan.ChunkCount; i++)
            {
                db.SweepChunks.Add(new SweepChunk { RunId = run.Id, Index = i });
            }

            if (plan.ChunkCount == 0)
            {
                run.State = SweepState.Completed;
                run.ActiveMarker = null;
                run.FinishedAt = now;
            }

            await db.SaveChangesAsync(ct);
            log.LogInformation("Sweep {RunId} running: {Targets} targets, {Lists} lists ({Skipped} skipped), {Queries} queries in {Chunks} chunks",
                run.Id, plan.TargetCount, plan.Lists.Count, plan.Skipped?.Count ?? 0, run.Total, run.ChunksTotal);
            await ScheduleChunksAsync(run, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Sweep {RunId} could not start", runId);
            await SweepChunkProcessor.FailAsync(db, run.Id, $"Could not start: {e.Message}", time.GetUtcNow(), ct);
        }
    }

    /// <summary>Ends a run that has no list to ask, with the reasons (grouped by cause) as its error.</summary>
    private async Task FailUncheckedAsync(SweepRun run, SweepPlan plan, StringBuilder notes, DateTimeOffset now, CancellationToken ct)
    {
        var reason = plan.Skipped is { Count: > 0 }
            ? $"No enabled list could be checked, so this sweep checked nothing.\n{notes.ToString().Trim()}"
            : "No blocklist is enabled, so this sweep checked nothing. Enable lists in the catalog (the Blocklists page, or PATCH /api/blocklists/{id} with {\"enabled\": true}).";
        run.State = SweepState.Failed;
        run.ActiveMarker = null;
        run.FinishedAt = now;
        run.Error = ColumnText.Fit(reason, 2000);
        await AlertOutbox.AddSweepFailedAsync(db, run.Id, run.Error, now, ct); // saved with the failure
        await db.SaveChangesAsync(ct);
        log.LogWarning("Sweep {RunId} failed: {Reason}", run.Id, run.Error);
    }

    private async Task<SweepPlan> PlanAsync(SweepRun run, StringBuilder notes, CancellationToken ct)
    {
        var filter = JsonSerializer.Deserialize<List<long>>(run.AssetFilterJson) ?? [];
        var assetQuery = db.Assets.AsNoTracking();
        if (filter.Count > 0)
        {
            assetQuery = assetQuery.Where(a => filter.Contains(a.Id));
        }

        var assets = await assetQuery.OrderBy(a => a.Id).Select(a => new PlannedAsset(a.Id, a.Kind, a.Value)).ToListAsync(ct);
        var skipped = new List<SkippedList>();
        var healthy = await CheckHealthAsync(notes, skipped, ct);
        var plan = new SweepPlan(assets, healthy.Select(l => new PlannedList(l.Id, null)).ToList(), options.Value.ChunkSize);
        return await ApplyBudgetsAsync(plan, healthy, notes, skipped, ct);
    }

    /// <summary>
    /// Health-checks every enabled list and returns the ones whose answers can be trusted; the others
    /// go to <paramref name="skipped"/>, and the notes say why once per cause, not once per list.
    /// </summary>
    private async Task<List<Blocklist>> CheckHealthAsync(StringBuilder notes, List<SkippedList> skipped, CancellationToken ct)
    {
        var enabled = await db.Blocklists.Where(b => b.Enabled).OrderBy(b => b.Id).ToListAsync(ct);
        var verdicts = await healthChecks.CheckAsync(enabled, ct);
        var healthy = new List<Blocklist>();
        var failed = new List<UncheckedList>();
        foreach (var row in enabled)
        {
            var health = verdicts[row.Id];
            if (health.State == ListHealthState.Healthy)
            {
                healthy.Add(row);
                continue;
            }

            skipped.Add(new SkippedList(row.Id, row.Zone, row.HealthDetail ?? health.Detail));
            failed.Add(new UncheckedList(row.Name, row.Zone, Provider(row), health));
        }

        foreach (var sentence in UncheckedLists.Explain(failed, resolver.Description))
        {
            notes.AppendLine(sentence);
        }

        return healthy;
    }

    private static string Provider(Blocklist row)
    {
        try
        {
            return row.Definition().Provider;
        }
        catch (CatalogException)
        {
            return "";
        }
    }

    /// <summary>
    /// A list with a free daily budget is queried only for the chunks that fit in what is left of
    /// today's budget; the rest is skipped and the run says so.
    /// </summary>
    private async Task<SweepPlan> ApplyBudgetsAsync(SweepPlan plan, List<Blocklist> lists, StringBuilder notes, List<SkippedList> skipped, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var ids = lists.Select(l => l.Id).ToList();
        var used = await db.BlocklistUsage.AsNoTracking().Where(u => u.Day == today && ids.Contains(u.BlocklistId))
            .ToDictionaryAsync(u => u.BlocklistId, u => u.Queries, ct);
        var mixes = plan.MixPerChunk();
        var planned = new List<PlannedList>();
        foreach (var row in lists)
        {
            var definition = row.Definition();
            var budget = definition.QueryPolicy.FreeDailyQueries;
            var wanted = mixes.Sum(m => m.ApplicableTo(definition));
            if (budget is null || wanted == 0)
            {
                planned.Add(new PlannedList(row.Id, null));
                continue;
            }

            var left = Math.Max(0, budget.Value - used.GetValueOrDefault(row.Id));
            long cumulative = 0;
            var lastChunk = -1;
            for (var i = 0; i < mixes.Count && cumulative + mixes[i].ApplicableTo(definition) <= left; i++)
            {
                cumulative += mixes[i].ApplicableTo(definition);
                lastChunk = i;
            }

            if (cumulative < wanted)
            {
                notes.AppendLine(CultureInfo.InvariantCulture,
                    $"{row.Name}: {wanted - cumulative:N0} of {wanted:N0} queries skipped: its free budget is {budget:N0} a day and {used.GetValueOrDefault(row.Id):N0} are used today. Sweep fewer assets per day or use a key.");
            }

            if (lastChunk >= 0)
            {
                planned.Add(new PlannedList(row.Id, lastChunk == mixes.Count - 1 ? null : lastChunk));
            }
            else
            {
                skipped.Add(new SkippedList(row.Id, row.Zone, string.Create(CultureInfo.InvariantCulture,
                    $"{row.Name}'s free budget of {budget:N0} queries a day is used up ({used.GetValueOrDefault(row.Id):N0} today).")));
            }
        }

        return plan with { Lists = planned, Skipped = skipped };
    }

    private async Task<Dictionary<long, BlocklistDefinition>> HealthyDefinitionsAsync(SweepPlan plan, CancellationToken ct)
    {
        var ids = plan.Lists.Select(l => l.BlocklistId).ToList();
        var rows = await db.Blocklists.AsNoTracking().Where(b => ids.Contains(b.Id)).ToListAsync(ct);
        return rows.ToDictionary(r => r.Id, r => r.Definition());
    }

    private static long TotalQueries(SweepPlan plan, Dictionary<long, BlocklistDefinition> definitions)
    {
        var mixes = plan.MixPerChunk();
        long total = 0;
        for (var i = 0; i < mixes.Count; i++)
        {
            foreach (var list in plan.Lists.Where(l => plan.Includes(l, i)))
            {
                total += mixes[i].ApplicableTo(definitions[list.BlocklistId]);
            }
        }

        return total;
    }

    private async Task ScheduleChunksAsync(SweepRun run, CancellationToken ct)
    {
        var pending = await db.SweepChunks.AsNoTracking().Where(c => c.RunId == run.Id && !c.Done).Select(c => c.Index).ToListAsync(ct);
        var scheduler = await schedulers.GetScheduler(ct);
        foreach (var index in pending)
        {
            var job = SweepJobs.ChunkJob(run.Id, index);
            if (await scheduler.Exists(job.Key, ct))
            {
                continue;
            }

            await scheduler.ScheduleJob(job, TriggerBuilder.Create().WithIdentity(job.Key.Name, SweepJobs.Group).StartNow().Build(), cancellationToken: ct);
        }
    }

}
