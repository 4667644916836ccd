using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Assets;

public sealed class DetailsModel(AssetInventory inventory, ListingQueries queries) : PageModel
{
    public Asset Asset { get; private set; } = null!;

    public IReadOnlyList<ListingView> Listings { get; private set; } = [];

    public Pager ListingsPager { get; private set; } = null!;

    public IReadOnlyList<(ListingEvent Event, string Zone)> History { get; private set; } = [];

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
        return Page();
    }
}
