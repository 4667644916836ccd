using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Assets;

public sealed class IndexModel(AssetInventory inventory, IAuthorizationService authorization) : PageModel
{
    public IReadOnlyList<Asset> Assets { get; private set; } = [];

    public Pager? Pager { get; private set; }

    public IReadOnlyList<BulkLineResult>? BulkResults { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Pool { get; set; }

    /// <summary>Where the inventory table starts: the <c>next</c> of the page before.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public string? Value { get; private set; }

    public string? Lines { get; private set; }

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    public bool CanEdit { get; private set; }

    /// <summary>A link may prefill the add form (an incident's source IP "not in inventory", say).</summary>
    public async Task OnGetAsync(string? value, CancellationToken ct)
    {
        Value = string.IsNullOrWhiteSpace(value) ? null : ColumnText.Fit(value.Trim(), 300);
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAddAsync(string? value, string? kind, string? label, string? pool, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        var result = await inventory.AddAsync(new AssetInput(value, kind, label, pool), ct);
        (Message, MessageIsError) = result switch
        {
            { Added: { } a } => ($"Added {a.Value}.", false),
            { DuplicateOf: { } d } => ($"{d.Value} is already in the inventory.", true),
            _ => (result.Invalid, true),
        };
        if (MessageIsError)
        {
            Value = value; // keep what was typed, so nothing is lost
        }

        Kind = null;
        Pool = null;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostBulkAsync(string? lines, string? bulkKind, string? bulkPool, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        BulkResults = await inventory.AddManyAsync(lines ?? "", bulkKind, bulkPool, ct);
        var added = BulkResults.Count(r => r.Outcome == "added");
        var failed = BulkResults.Where(r => r.Outcome == "invalid").ToList();
        Message = $"{added} added, {BulkResults.Count(r => r.Outcome == "duplicate")} already present, {failed.Count} invalid.";
        MessageIsError = failed.Count > 0;

        // Give the refused lines back for correction; the good ones are in.
        Lines = failed.Count > 0 ? string.Join('\n', failed.Select(f => f.Input)) : null;
        Kind = null;
        Pool = null;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        Message = await inventory.DeleteAsync(id, ct) ? "Removed." : "That asset was already gone.";
        await LoadAsync(ct);
        return Page();
    }

    private async Task<bool> MayEditAsync() => (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;

    private async Task LoadAsync(CancellationToken ct)
    {
        CanEdit = await MayEditAsync();
        if (!AssetKindNames.TryParse(Kind, out var kind))
        {
            return;
        }

        var page = await inventory.ListAsync(kind, Pool, Paging.FromLink<AssetInventory.PageKey>(Cursor), ct);
        Assets = page.Items;
        Pager = new Pager(
            "assets-pager",
            page.Items.Count,
            await inventory.CountAsync(kind, Pool, ct),
            page.Next is null ? null : Url.Page(null, new { kind = Kind, pool = Pool, cursor = page.Next }),
            string.IsNullOrEmpty(Cursor) ? null : Url.Page(null, new { kind = Kind, pool = Pool }),
            "assets");
    }
}
