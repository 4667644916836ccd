using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Blocklists;

public sealed record ListingView(
    long Id, string Value, long AssetId, string Asset, string Zone, string List, string Provider,
    string Codes, string Category, string? Reason, bool Active, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset? DelistedAt);

/// <summary>Read models for the listings view, sweep history, the API and asset history.</summary>
public sealed class ListingQueries(PostmasterDbContext db)
{
    /// <summary>Listings are paged newest first by id: unique, indexed, and rows added meanwhile never shift a page.</summary>
    public sealed record PageKey(long Id) : IPageKey
    {
        public static string Scope => "listings";
    }

    public async Task<Page<ListingView>> ListingsAsync(bool? active, long? assetId, PageRequest<PageKey> page, CancellationToken ct)
    {
        var query = Filter(active, assetId);
        if (page.After is { } after)
        {
            query = query.Where(l => l.Id < after.Id);
        }

        var rows = await (
            from l in query
            join b in db.Blocklists on l.BlocklistId equals b.Id
            join asset in db.Assets on l.AssetId equals asset.Id into assets
            from asset in assets.DefaultIfEmpty()
            orderby l.Id descending
            select new { l, b.Zone, b.Name, b.DefinitionJson, Asset = asset == null ? "(removed)" : asset.Value })
            .Take(page.Limit + 1)
            .ToListAsync(ct);
        var providers = new Dictionary<string, string>();
        var views = rows.Select(r => new ListingView(
            r.l.Id, r.l.Value, r.l.AssetId, r.Asset, r.Zone, r.Name, ProviderOf(r.DefinitionJson, providers),
            r.l.Codes, r.l.Categories, r.l.Reason, r.l.Active, r.l.FirstSeen, r.l.LastSeen, r.l.DelistedAt)).ToList();
        return Paging.Cut(views, page.Limit, v => new PageKey(v.Id));
    }

    /// <summary>Sweeps are paged newest first by id.</summary>
    public sealed record SweepKey(long Id) : IPageKey
    {
        public static string Scope => "sweeps";
    }

    public async Task<Page<SweepRun>> SweepsAsync(PageRequest<SweepKey> page, CancellationToken ct)
    {
        var query = db.SweepRuns.AsNoTracking();
        if (page.After is { } after)
        {
            query = query.Where(r => r.Id < after.Id);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(page.Limit + 1).ToListAsync(ct);
        return Paging.Cut(rows, page.Limit, r => new SweepKey(r.Id));
    }

    public Task<int> CountAsync(bool? active, long? assetId, CancellationToken ct) => Filter(active, assetId).CountAsync(ct);

    private IQueryable<Listing> Filter(bool? active, long? assetId)
    {
        var query = db.Listings.AsNoTracking();
        if (active is { } a)
        {
            query = query.Where(l => l.Active == a);
        }

        if (assetId is { } id)
        {
            query = query.Where(l => l.AssetId == id);
        }

        return query;
    }

    /// <summary>How many changes an asset's history shows; the page says so when there are more.</summary>
    public const int HistoryShown = 500;

    public async Task<IReadOnlyList<(ListingEvent Event, string Zone)>> HistoryAsync(long assetId, CancellationToken ct) =>
        (await (from e in db.ListingEvents.AsNoTracking()
                where e.AssetId == assetId
                join b in db.Blocklists on e.BlocklistId equals b.Id
                orderby e.Id descending
                select new { e, b.Zone })
            .Take(HistoryShown).ToListAsync(ct))
        .Select(r => (r.e, r.Zone)).ToList();

    private static string ProviderOf(string json, Dictionary<string, string> cache)
    {
        if (!cache.TryGetValue(json, out var provider))
        {
            provider = System.Text.Json.JsonDocument.Parse(json).RootElement.TryGetProperty("provider", out var p) ? p.GetString() ?? "" : "";
            cache[json] = provider;
        }

        return provider;
    }
}
