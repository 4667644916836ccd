using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Assets;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

public sealed class ListingsModel(PostmasterDbContext db, ListingQueries queries) : PageModel
{
    public const int MaxRows = 1000;

    public sealed record Column(long Id, string Name, string Zone, BlocklistDefinition Definition, ListHealthState Health);

    [BindProperty(SupportsGet = true)]
    public string Show { get; set; } = "all";

    [BindProperty(SupportsGet = true)]
    public string? Pool { get; set; }

    public IReadOnlyList<Column> Columns { get; private set; } = [];

    public IReadOnlyList<Asset> Rows { get; private set; } = [];

    public bool RowsCut { get; private set; }

    public IReadOnlyDictionary<(long AssetId, long ListId), AssetListStatus> Status { get; private set; } = new Dictionary<(long, long), AssetListStatus>();

    public IReadOnlyList<ListingView> Active { get; private set; } = [];

    public bool Applies(Asset asset, Column list) => list.Definition.Lists == ListedThing.Domain
        ? asset.Kind is AssetKind.Domain or AssetKind.Helo
        : asset.Kind == AssetKind.Range || (asset.Kind == AssetKind.Ip && (list.Definition.Ipv6 || !asset.Value.Contains(':', StringComparison.Ordinal)));

    public async Task OnGetAsync(CancellationToken ct)
    {
        Columns = (await db.Blocklists.AsNoTracking().Where(b => b.Enabled).OrderBy(b => b.Name).ToListAsync(ct))
            .Select(b => new Column(b.Id, b.Name, b.Zone, b.Definition(), b.Health)).ToList();
        var statuses = await db.AssetListStatuses.AsNoTracking().ToListAsync(ct);
        Status = statuses.ToDictionary(s => (s.AssetId, s.BlocklistId));

        var assets = db.Assets.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Pool))
        {
            assets = assets.Where(a => a.Pool == Pool);
        }

        if (Show is "listed" or "unknown")
        {
            var ids = statuses.Where(s => Show == "listed" ? s.Listed > 0 : s.Unknown > 0).Select(s => s.AssetId).Distinct().ToList();
            assets = assets.Where(a => ids.Contains(a.Id));
        }

        var rows = await assets.OrderBy(a => a.Kind).ThenBy(a => a.Value).Take(MaxRows + 1).ToListAsync(ct);
        RowsCut = rows.Count > MaxRows;
        Rows = rows.Take(MaxRows).ToList();
        Active = await queries.ListingsAsync(active: true, assetId: null, ct);
    }
}
