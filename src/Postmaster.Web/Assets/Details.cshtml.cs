using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Posture;
using Postmaster.Web.Signals;

namespace Postmaster.Web.Assets;

public sealed class DetailsModel(
    AssetInventory inventory,
    ListingQueries queries,
    IncidentQueries incidents,
    PostmasterDbContext db,
    PostureQueries posture,
    PostureService postureService,
    IAuthorizationService authorization) : PageModel
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

    /// <summary>The stored posture checklist; its View is null while the asset was never checked.</summary>
    public PostureChecklist Posture { get; private set; } = null!;

    /// <summary>May refresh the posture and set DKIM selectors (responders and admins).</summary>
    public bool CanEdit { get; private set; }

    /// <summary>Said once after a refresh or a selector change (they redirect back here).</summary>
    [TempData]
    public string? PostureMessage { get; set; }

    /// <summary>Why the selectors were refused, with what was typed given back.</summary>
    public string? SelectorsProblem { get; private set; }

    public string? SelectorsInput { get; private set; }

    /// <summary>Runs the asset's posture checks now and stores them.</summary>
    public async Task<IActionResult> OnPostRefreshAsync(long id, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        if (await inventory.FindAsync(id, ct) is not { } asset)
        {
            return NotFound();
        }

        var view = await postureService.RefreshAsync(asset, ct);
        PostureMessage = $"Posture checked: {string.Join(", ", view.Checks.GroupBy(c => c.Status).Select(g => $"{g.Count()} {Postmaster.Core.Posture.PostureStatusNames.ToApi(g.Key)}"))}.";
        return Redirect($"/Assets/Details?id={id}#posture");
    }

    /// <summary>Sets a domain's DKIM selectors from one line (comma- or space-separated).</summary>
    public async Task<IActionResult> OnPostSelectorsAsync(long id, string? selectors, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        if (await inventory.FindAsync(id, ct) is not { } asset)
        {
            return NotFound();
        }

        var (set, problem) = await postureService.SetSelectorsAsync(asset, (selectors ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries), ct);
        if (set is not null)
        {
            PostureMessage = set.Count == 0
                ? "DKIM selectors cleared: common selectors are tried at the next check."
                : $"DKIM selectors set: {string.Join(", ", set)}. Refresh to check their keys.";
            return Redirect($"/Assets/Details?id={id}#posture");
        }

        (SelectorsProblem, SelectorsInput) = (problem, selectors);
        return await OnGetAsync(id, null, ct);
    }

    private async Task<bool> MayEditAsync() => (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;

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
        Posture = new PostureChecklist(asset.Value, asset.Id, await posture.ReadAsync(asset, ct), ShowAssetLink: false);
        CanEdit = await MayEditAsync();
        return Page();
    }
}
