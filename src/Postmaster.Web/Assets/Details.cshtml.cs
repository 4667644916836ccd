using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Blocklists;

namespace Postmaster.Web.Assets;

public sealed class DetailsModel(AssetInventory inventory, ListingQueries queries) : PageModel
{
    public Asset Asset { get; private set; } = null!;

    public IReadOnlyList<ListingView> Listings { get; private set; } = [];

    public IReadOnlyList<(ListingEvent Event, string Zone)> History { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (await inventory.FindAsync(id, ct) is not { } asset)
        {
            return NotFound();
        }

        Asset = asset;
        Listings = await queries.ListingsAsync(active: null, assetId: id, ct);
        History = await queries.HistoryAsync(id, ct);
        return Page();
    }
}
