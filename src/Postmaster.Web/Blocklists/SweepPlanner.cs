using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Database;
using Quartz;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// Starts a queued run: checks each enabled list's health (RFC 5782 test points), fixes the plan,
/// applies daily query budgets, writes the chunks and schedules one Quartz job per chunk.
/// </summary>
public sealed class SweepPlanner(
    PostmasterDbContext db,
    SweepLists sweepLists,
    DnsblSweeper sweeper,
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
            run.ChunksTotal = plan.ChunkCount;
            run.Total = TotalQueries(plan, await HealthyDefinitionsAsync(plan, ct));
            run.Notes = notes.Length == 0 ? null : Bounded(notes.ToString().Trim(), 4000);
            run.State = SweepState.Running;
            run.StartedAt = now;
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
            log.LogInformation("Sweep {RunId} running: {Targets} targets, {Lists} lists, {Queries} queries in {Chunks} chunks",
                run.Id, plan.TargetCount, plan.Lists.Count, run.Total, run.ChunksTotal);
            await ScheduleChunksAsync(run, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Sweep {RunId} could not start", runId);
            await SweepChunkProcessor.FailAsync(db, run.Id, $"Could not start: {e.Message}", time.GetUtcNow(), ct);
        }
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
        var healthy = await CheckHealthAsync(notes, ct);
        var plan = new SweepPlan(assets, healthy.Select(l => new PlannedList(l.Id, null)).ToList(), options.Value.ChunkSize);
        return await ApplyBudgetsAsync(plan, healthy, notes, ct);
    }

    /// <summary>Health-checks every enabled list and returns the ones whose answers can be trusted.</summary>
    private async Task<List<Blocklist>> CheckHealthAsync(StringBuilder notes, CancellationToken ct)
    {
        var enabled = await db.Blocklists.Where(b => b.Enabled).OrderBy(b => b.Id).ToListAsync(ct);
        var checks = enabled.Select(async row =>
        {
            try
            {
                return (row, await sweeper.CheckHealthAsync(sweepLists.For(row), ct));
            }
            catch (CatalogException e)
            {
                return (row, new ListHealth(ListHealthState.Quarantined, e.Message));
            }
        });
        var now = time.GetUtcNow();
        var healthy = new List<Blocklist>();
        foreach (var (row, health) in await Task.WhenAll(checks))
        {
            if (row.Health != health.State)
            {
                log.LogWarning("Blocklist {Slug} health {From} → {To}: {Detail}", row.Slug, row.Health, health.State, health.Detail);
            }

            row.Health = health.State;
            row.HealthDetail = Bounded(health.Detail, 1000);
            row.HealthCheckedAt = now;
            if (health.State == ListHealthState.Healthy)
            {
                healthy.Add(row);
            }
            else
            {
                notes.AppendLine(CultureInfo.InvariantCulture, $"{row.Name} skipped: {health.Detail}");
            }
        }

        await db.SaveChangesAsync(ct);
        return healthy;
    }

    /// <summary>
    /// A list with a free daily budget is queried only for the chunks that fit in what is left of
    /// today's budget; the rest is skipped and the run says so.
    /// </summary>
    private async Task<SweepPlan> ApplyBudgetsAsync(SweepPlan plan, List<Blocklist> lists, StringBuilder notes, CancellationToken ct)
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
        }

        return plan with { Lists = planned };
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

    private static string Bounded(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
