using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Alerts;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// Runs one chunk of a sweep. Only answers that change a listing's state are confirmed by a second
/// query and written; unknowns are counted and never flip a state. The chunk's results are committed
/// together with the flip of its "done" flag, so a chunk re-run by another instance changes nothing twice.
/// </summary>
public sealed class SweepChunkProcessor(
    PostmasterDbContext db,
    SweepLists sweepLists,
    DnsblSweeper sweeper,
    WriteGate writeGate,
    Incidents.IncidentTrigger incidents,
    TimeProvider time,
    ILogger<SweepChunkProcessor> log)
{
    private sealed record Change(SweepResult Result, Listing? Existing, BlocklistVerdict Confirmed, string? Reason);

    /// <summary>An answer that may change a listing's state, with the listing it would change (none: a new listing).</summary>
    private sealed record Candidate(SweepResult Result, Listing? Existing);

    /// <summary>A "listed" answer about a listing already known.</summary>
    private sealed record Seen(SweepResult Result, Listing Existing, bool CodesChanged);

    public async Task RunAsync(long runId, int chunk, CancellationToken ct)
    {
        var run = await db.SweepRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.State != SweepState.Running
            || await db.SweepChunks.AnyAsync(c => c.RunId == runId && c.Index == chunk && c.Done, ct))
        {
            return;
        }

        try
        {
            await ProcessAsync(run, chunk, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Sweep {RunId} chunk {Chunk} failed", runId, chunk);
            db.ChangeTracker.Clear();
            await FailAsync(db, runId, $"Chunk {chunk} failed: {e.Message}", time.GetUtcNow(), ct);
        }
    }

    private async Task ProcessAsync(SweepRun run, int chunk, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var plan = SweepPlan.FromJson(run.PlanJson);
        var lists = await sweepLists.LoadAsync(db, plan.Lists.Where(l => plan.Includes(l, chunk)).Select(l => l.BlocklistId), ct);
        var targets = plan.TargetsOf(chunk).ToList();
        var tally = new ChunkTally(targets.Select(t => t.AssetId), lists.ToDictionary(l => l.Key, l => l.Value.List));

        // All active listings of these lists, then this chunk's: far fewer rows than the chunk has
        // targets, and cheaper than sending thousands of values to the database. Kept per list, by
        // value, so an answer looks its listing up without building a key.
        var values = targets.Select(t => t.Value).ToHashSet(StringComparer.Ordinal);
        var listIds = lists.Keys.ToList();
        var active = lists.Values.Select(_ => new Dictionary<string, Listing>(StringComparer.Ordinal)).ToArray();
        foreach (var listing in await db.Listings.AsNoTracking().Where(l => l.Active && listIds.Contains(l.BlocklistId)).ToListAsync(ct))
        {
            if (values.Contains(listing.Value))
            {
                active[tally.ListIndex(lists[listing.BlocklistId].List)][listing.Value] = listing;
            }
        }

        var candidates = new ConcurrentQueue<Candidate>();
        var seenListed = new ConcurrentQueue<Seen>();

        var dnsStarted = time.GetTimestamp();
        await sweeper.RunAsync(targets, lists.Values.Select(l => l.List).ToList(), result =>
        {
            tally.Count(result);
            var known = active[tally.ListIndex(result.List)];
            Listing? existing = null;
            if (known.Count > 0)
            {
                known.TryGetValue(result.Target.Value, out existing);
            }

            var step = ListingRules.Classify(existing is null ? null : Row(existing), result.Verdict);
            switch (step)
            {
                case ListingStep.Confirm:
                    candidates.Enqueue(new Candidate(result, existing));
                    break;
                case ListingStep.StillListed or ListingStep.CodesChanged when existing is not null:
                    seenListed.Enqueue(new Seen(result, existing, step == ListingStep.CodesChanged));
                    break;
            }
        }, ct);

        var asked = time.GetTimestamp();

        // A change of state must be seen twice before anyone is told about it.
        var changes = new List<Change>();
        var existingOf = candidates.ToDictionary(c => c.Result, c => c.Existing);
        foreach (var (result, confirmed, reason) in await sweeper.ConfirmAllAsync(existingOf.Keys, ct))
        {
            if (confirmed.Outcome != result.Verdict.Outcome)
            {
                tally.Unconfirmed(result);
                continue;
            }

            changes.Add(new Change(result, existingOf[result], confirmed, reason));
        }

        // Codes changed on a listing already known: the new codes were seen in this sweep; fetch the new reason.
        var recoded = seenListed.Where(s => s.CodesChanged).ToDictionary(s => s.Result, s => s.Existing);
        foreach (var (result, reason) in await sweeper.ReasonsAsync(recoded.Keys, ct))
        {
            changes.Add(new Change(result, recoded[result], result.Verdict, reason));
        }

        // Chunks of one run commit concurrently and may both create a (list, day) usage or an
        // (asset, list) status row: the loser of that race rolls back and commits again, now seeing the row.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var confirmed = time.GetTimestamp();
                await CommitAsync(run, chunk, changes, seenListed.Select(s => s.Existing.Id).ToList(), tally, ct);
                log.LogDebug(
                    "Sweep {RunId} chunk {Chunk}: {Queries} queries in {Total:F0} ms (set-up {Setup:F0}, DNS {Dns:F0}, confirm {Confirm:F0}, commit {Commit:F0}), {Changes} changes",
                    run.Id, chunk, tally.Queried, time.GetElapsedTime(started).TotalMilliseconds, time.GetElapsedTime(started, dnsStarted).TotalMilliseconds,
                    time.GetElapsedTime(dnsStarted, asked).TotalMilliseconds, time.GetElapsedTime(asked, confirmed).TotalMilliseconds, time.GetElapsedTime(confirmed).TotalMilliseconds, changes.Count);

                // What changed becomes incidents now, not at the next catch-up.
                await incidents.RunAsync(ct);
                return;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                db.ChangeTracker.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), ct);
            }
        }
    }

    private async Task CommitAsync(
        SweepRun run,
        int chunk,
        List<Change> changes,
        List<long> stillListed,
        ChunkTally tally,
        CancellationToken ct)
    {
        using var turn = await writeGate.EnterAsync(ct);
        var now = time.GetUtcNow();
        var (queried, listed, unknown) = (tally.Queried, tally.Listed, tally.Unknown);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var flipped = await db.SweepChunks
            .Where(c => c.RunId == run.Id && c.Index == chunk && !c.Done)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Done, true)
                .SetProperty(c => c.Queries, queried)
                .SetProperty(c => c.Listed, listed)
                .SetProperty(c => c.Unknown, unknown)
                .SetProperty(c => c.CompletedAt, now), ct);
        if (flipped == 0)
        {
            return; // another instance finished this chunk first
        }

        await ApplyAsync(changes, tally, run.Id, now, ct);

        if (stillListed.Count > 0)
        {
            await db.Listings.Where(l => stillListed.Contains(l.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.LastSeen, now).SetProperty(l => l.LastChecked, now), ct);
        }

        var cells = tally.Cells().ToList();
        await RecordStatusAsync(run.Id, cells, now, ct);
        await RecordUsageAsync(cells, now, ct);
        await db.SaveChangesAsync(ct);

        await db.SweepRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.ChunksDone, r => r.ChunksDone + 1)
            .SetProperty(r => r.Done, r => r.Done + queried)
            .SetProperty(r => r.Listed, r => r.Listed + listed)
            .SetProperty(r => r.Unknown, r => r.Unknown + unknown), ct);
        await db.SweepRuns.Where(r => r.Id == run.Id && r.State == SweepState.Running && r.ChunksDone >= r.ChunksTotal)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, SweepState.Completed)
                .SetProperty(r => r.ActiveMarker, (int?)null)
                .SetProperty(r => r.FinishedAt, now), ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Writes every confirmed change of this chunk with one query for the rows it touches.</summary>
    private async Task ApplyAsync(List<Change> changes, ChunkTally tally, long runId, DateTimeOffset now, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var listIds = changes.Select(c => tally.ListId(c.Result.List)).Distinct().ToList();
        var values = changes.Select(c => c.Result.Target.Value).Distinct().ToList();
        var rows = await db.Listings
            .Where(l => listIds.Contains(l.BlocklistId) && values.Contains(l.Value))
            .ToDictionaryAsync(l => (l.BlocklistId, l.Value), ct);
        var events = new List<(Listing Listing, ListingEvent Event)>();
        foreach (var change in changes)
        {
            var listId = tally.ListId(change.Result.List);
            var target = change.Result.Target;
            rows.TryGetValue((listId, target.Value), out var listing);
            if (ListingRules.Apply(listing is null ? null : Row(listing), change.Confirmed, change.Reason, now) is not var (kind, next))
            {
                continue;
            }

            if (listing is null)
            {
                listing = db.Listings.Add(new Listing { AssetId = target.AssetId, BlocklistId = listId, Value = target.Value }).Entity;
                rows[(listId, target.Value)] = listing;
            }

            Store(listing, next);
            if (kind != ListingChange.Delisted)
            {
                listing.AssetId = target.AssetId;
            }

            events.Add((listing, new ListingEvent
            {
                AssetId = target.AssetId,
                BlocklistId = listId,
                Value = target.Value,
                Kind = kind,
                Codes = listing.Codes,
                RunId = runId,
                At = now,
            }));
            log.LogInformation("{Value} {Kind} on blocklist {ListId} ({Codes})", target.Value, kind, listId, listing.Codes);
        }

        await db.SaveChangesAsync(ct); // new listings get their ids
        foreach (var (listing, listingEvent) in events)
        {
            listingEvent.ListingId = listing.Id;
            db.ListingEvents.Add(listingEvent);
        }
    }

    private static ListingRow Row(Listing l) =>
        new(l.Active, l.Codes, l.Categories, l.Reason, l.FirstSeen, l.LastSeen, l.LastChecked, l.DelistedAt);

    private static void Store(Listing l, ListingRow row) =>
        (l.Active, l.Codes, l.Categories, l.Reason, l.FirstSeen, l.LastSeen, l.LastChecked, l.DelistedAt) =
        (row.Active, row.Codes, row.Categories, row.Reason, row.FirstSeen, row.LastSeen, row.LastChecked, row.DelistedAt);

    private async Task RecordStatusAsync(long runId, List<CellCount> cells, DateTimeOffset now, CancellationToken ct)
    {
        var assetIds = cells.Select(c => c.AssetId).Distinct().ToList();
        var rows = await db.AssetListStatuses.Where(s => assetIds.Contains(s.AssetId)).ToDictionaryAsync(s => (s.AssetId, s.BlocklistId), ct);
        foreach (var cell in cells)
        {
            if (!rows.TryGetValue((cell.AssetId, cell.ListId), out var row))
            {
                row = db.AssetListStatuses.Add(new AssetListStatus { AssetId = cell.AssetId, BlocklistId = cell.ListId }).Entity;
            }

            if (row.RunId != runId)
            {
                // First chunk of this run to touch the pair: start over (a range spans several chunks).
                (row.RunId, row.Queried, row.Listed, row.Unknown) = (runId, 0, 0, 0);
            }

            row.Queried += cell.Queried;
            row.Listed += cell.Listed;
            row.Unknown += cell.Unknown;
            row.CheckedAt = now;
        }
    }

    private async Task RecordUsageAsync(List<CellCount> cells, DateTimeOffset now, CancellationToken ct)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        foreach (var group in cells.GroupBy(c => c.ListId))
        {
            var count = group.Sum(c => c.Queried);
            var usage = await db.BlocklistUsage.FirstOrDefaultAsync(u => u.BlocklistId == group.Key && u.Day == day, ct);
            if (usage is null)
            {
                db.BlocklistUsage.Add(new BlocklistUsage { BlocklistId = group.Key, Day = day, Queries = count });
            }
            else
            {
                usage.Queries += count;
            }
        }
    }

    /// <summary>Ends a run as failed, with its alert in the same transaction.</summary>
    internal static async Task FailAsync(PostmasterDbContext db, long runId, string error, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var failed = await db.SweepRuns.Where(r => r.Id == runId && r.ActiveMarker == 1).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, SweepState.Failed)
            .SetProperty(r => r.ActiveMarker, (int?)null)
            .SetProperty(r => r.Error, error.Length > 2000 ? error[..2000] : error)
            .SetProperty(r => r.FinishedAt, now), ct);
        if (failed == 1 && await AlertOutbox.AddSweepFailedAsync(db, runId, error, now, ct))
        {
            await db.SaveChangesAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }
}
