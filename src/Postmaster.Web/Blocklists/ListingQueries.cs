using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

public sealed record ListingView(
    long Id, string Value, long AssetId, string Asset, string Zone, string List, string Provider,
    string Codes, string Category, string? Reason, bool Active, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset? DelistedAt);

/// <summary>Read models for the listings view, the API and asset history.</summary>
public sealed class ListingQueries(PostmasterDbContext db)
{
    public async Task<IReadOnlyList<ListingView>> ListingsAsync(bool? active, long? assetId, CancellationToken ct)
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

        var rows = await (
            from l in query
            join b in db.Blocklists on l.BlocklistId equals b.Id
            join asset in db.Assets on l.AssetId equals asset.Id into assets
            from asset in assets.DefaultIfEmpty()
            orderby l.Value, b.Zone
            select new { l, b.Zone, b.Name, b.DefinitionJson, Asset = asset == null ? "(removed)" : asset.Value })
            .Take(10_000)
            .ToListAsync(ct);
        var providers = new Dictionary<string, string>();
        return rows.Select(r => new ListingView(
            r.l.Id, r.l.Value, r.l.AssetId, r.Asset, r.Zone, r.Name, ProviderOf(r.DefinitionJson, providers),
            r.l.Codes, r.l.Categories, r.l.Reason, r.l.Active, r.l.FirstSeen, r.l.LastSeen, r.l.DelistedAt)).ToList();
    }

    public async Task<IReadOnlyList<(ListingEvent Event, string Zone)>> HistoryAsync(long assetId, CancellationToken ct) =>
        (await (from e in db.ListingEvents.AsNoTracking()
                where e.AssetId == assetId
                join b in db.Blocklists on e.BlocklistId equals b.Id
                orderby e.Id descending
                select new { e, b.Zone })
            .Take(500).ToListAsync(ct))
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
