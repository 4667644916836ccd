using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>Applies listing events: a value listed, re-coded or delisted on one of an operator's lists.</summary>
public sealed class ListingEvidence(PostmasterDbContext db, AssetGroups groups, IncidentProviders providers)
{
    public const int BatchSize = 2000;

    internal async Task<int> ApplyAsync(IncidentWork work, CancellationToken ct)
    {
        var events = await db.ListingEvents.AsNoTracking()
            .Where(e => e.ProcessedAt == null)
            .OrderBy(e => e.Id)
            .Take(BatchSize)
            .ToListAsync(ct);
        if (events.Count == 0)
        {
            return 0;
        }

        var ids = events.Select(e => e.Id).ToList();
        var claimed = await db.ListingEvents
            .Where(e => ids.Contains(e.Id) && e.ProcessedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ProcessedAt, work.Now), ct);
        if (claimed != ids.Count)
        {
            throw new DbUpdateConcurrencyException($"Listing events claimed elsewhere ({claimed} of {ids.Count}); trying again.");
        }

        var lists = await providers.ListsAsync(ct);
        var listingIds = events.Select(e => e.ListingId).Distinct().ToList();
        var rows = new Dictionary<long, Listing>();
        foreach (var chunk in listingIds.Chunk(1000))
        {
            var some = chunk.ToList();
            foreach (var row in await db.Listings.AsNoTracking().Where(l => some.Contains(l.Id)).ToListAsync(ct))
            {
                rows[row.Id] = row;
            }
        }

        var groupOf = await groups.ResolveAsync(events.Select(e => e.Value).Distinct().ToList(), ct);
        var operatorOf = (ListingEvent e) => lists.TryGetValue(e.BlocklistId, out var list) ? list : null;
        await work.LoadAsync(events.Where(e => operatorOf(e) is not null).Select(e => (operatorOf(e)!.Provider, groupOf[e.Value].Key)), ct);
        var values = new IncidentValues(db, work);
        await values.LoadAsync(events.Select(e => e.Value), ct);

        foreach (var e in events)
        {
            if (operatorOf(e) is not { } list)
            {
                continue; // the list was removed from the catalog since: nothing to tell its operator
            }

            var group = groupOf[e.Value];
            if (e.Kind == ListingChange.Delisted
                && (work.Active(list.Provider, group.Key) is not { } open || values.Find(open.Id, e.Value, list.Zone) is not { Active: true }))
            {
                continue; // not part of an open incident (listed before incidents, say): nothing to clear
            }

            IncidentEvidence evidence = e.Kind == ListingChange.Delisted
                ? new ValueDelisted(e.At, e.Value, list.Zone)
                : new ValueListed(e.At, e.Value, list.Zone, e.Codes, e.Kind == ListingChange.CodesChanged);
            var fold = new TimelineFold(list.Zone, e.RunId is { } run ? $"run {run}" : "backfill", list.Domains, Backfilled: e.Backfilled);
            var incident = await work.DecideAsync(list.Provider, group, evidence, list.WeightOf(e.Codes), fold, e.Backfilled, ct);
            if (incident is null)
            {
                continue;
            }

            var value = values.Upsert(incident, e.Value, list.Zone, IncidentBasis.Listing, e.At);
            value.BlocklistId = list.Id;
            value.LastSeen = Later(value.LastSeen, e.At);
            if (e.Kind == ListingChange.Delisted)
            {
                (value.Active, value.ClearedAt) = (false, e.At);
                continue;
            }

            rows.TryGetValue(e.ListingId, out var listing);
            value.Active = true;
            value.ClearedAt = null;
            value.Codes = ColumnText.Fit(e.Codes, 300)!;
            value.Categories = ColumnText.Fit(listing?.Categories ?? value.Categories, 300)!;
            value.Reason = ColumnText.Fit(listing?.Reason ?? value.Reason, 1000);
        }

        return events.Count;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
