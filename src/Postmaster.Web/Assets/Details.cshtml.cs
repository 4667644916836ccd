using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Signals;

namespace Postmaster.Web.Assets;

public sealed class DetailsModel(AssetInventory inventory, ListingQueries queries, IncidentQueries incidents, PostmasterDbContext db) : PageModel
{
    public const int IncidentRows = 50;

    /// <summary>Where the asset's incidents start (each table pages on its own).</summary>
    [BindProperty(SupportsGet = true, Name = "incidents")]
    public string? IncidentsCursor { get; set; }

    public Asset Asset { get; private set; } = null!;

    public IReadOnlyList<ListingView> Listings { get; private set; } = [];

    public Pager ListingsPager { get; private set; } = null!;

    public IReadOnlyList<(ListingEvent Event, string Zone)> History { get; private set; } = [];

    public IReadOnlyList<Incident> Incidents { get; private set; } = [];

    public Pager IncidentsPager { get; private set; } = null!;

    public IReadOnlyList<BlockEpisode> Episodes { get; private set; } = [];

    public bool MoreEpisodes { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, string? cursor, CancellationToken ct)
    {
        if (await inventory.FindAsync(id, ct) is not { } asset)
        {
            return NotFound();
        }

        Asset = asset;
        var listings = await queries.ListingsAsync(active: null, assetId: id, Paging.FromLink<ListingQueries.PageKey>(cursor), ct);
        Listings = listings.Items;
        ListingsPager = new Pager(
            "asset-listings-pager",
            listings.Items.Count,
            await queries.CountAsync(active: null, assetId: id, ct),
            listings.Next is null ? null : Url.Page(null, new { id, cursor = listings.Next }),
            string.IsNullOrEmpty(cursor) ? null : Url.Page(null, new { id }),
            "listings");
        History = await queries.HistoryAsync(id, ct);

        var filter = new IncidentFilter(AssetId: id);
        var page = await incidents.PageAsync(filter, Paging.FromLink<IncidentQueries.PageKey>(IncidentsCursor, IncidentRows), ct);
        Incidents = page.Items;
        IncidentsPager = new Pager(
            "asset-incidents-pager",
            page.Items.Count,
            (await incidents.CountByStateAsync(filter, ct)).Values.Sum(),
            page.Next is null ? null : Url.Page(null, new { id, incidents = page.Next }),
            string.IsNullOrEmpty(IncidentsCursor) ? null : Url.Page(null, new { id }),
            "incidents");
        (Episodes, MoreEpisodes) = await AssetEpisodes.ForAsync(db, asset, ct);
        return Page();
    }
}
