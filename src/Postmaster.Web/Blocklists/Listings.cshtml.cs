using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Assets;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Blocklists;

public sealed class ListingsModel(PostmasterDbContext db, ListingQueries queries) : PageModel
{
    /// <summary>Matrix rows per page: each row has a cell per enabled list.</summary>
    public const int MaxRows = 500;

    public sealed record Column(long Id, string Name, string Zone, BlocklistDefinition Definition, ListHealthState Health);

    [BindProperty(SupportsGet = true)]
    public string Show { get; set; } = "all";

    [BindProperty(SupportsGet = true)]
    public string? Pool { get; set; }

    /// <summary>Where the matrix starts: the <c>next</c> of its page before.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Rows { get; set; }

    /// <summary>Where the active listings table starts.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<Column> Columns { get; private set; } = [];

    public IReadOnlyList<Asset> Assets { get; private set; } = [];

    public Pager AssetsPager { get; private set; } = null!;

    public IReadOnlyDictionary<(long AssetId, long ListId), AssetListStatus> Status { get; private set; } = new Dictionary<(long, long), AssetListStatus>();

    public IReadOnlyList<ListingView> Active { get; private set; } = [];

    public Pager ActivePager { get; private set; } = null!;

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

        var rows = await AssetInventory.PageAsync(assets, Paging.FromLink<AssetInventory.PageKey>(Rows, MaxRows), ct);
        Assets = rows.Items;
        AssetsPager = new Pager(
            "matrix-pager",
            rows.Items.Count,
            await assets.CountAsync(ct),
            rows.Next is null ? null : Link(rows.Next, Cursor),
            string.IsNullOrEmpty(Rows) ? null : Link(null, Cursor),
            "assets");

        var active = await queries.ListingsAsync(active: true, assetId: null, Paging.FromLink<ListingQueries.PageKey>(Cursor), ct);
        Active = active.Items;
        ActivePager = new Pager(
            "active-listings-pager",
            active.Items.Count,
            await queries.CountAsync(active: true, assetId: null, ct),
            active.Next is null ? null : Link(Rows, active.Next),
            string.IsNullOrEmpty(Cursor) ? null : Link(Rows, null),
            "active listings");
    }

    private string? Link(string? rows, string? cursor) => Url.Page(null, new { show = Show, pool = Pool, rows, cursor });
}
