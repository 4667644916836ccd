using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

public sealed class IndexModel(BlocklistDirectory directory, SweepCoordinator coordinator, PostmasterDbContext db, IAuthorizationService authorization) : PageModel
{
    public IReadOnlyList<(Blocklist List, long Used, BlocklistDefinition Definition)> Lists { get; private set; } = [];

    public IReadOnlyList<string> Refused { get; private set; } = [];

    public SweepRun? LastRun { get; private set; }

    /// <summary>May start sweeps (responders and admins).</summary>
    public bool CanEdit { get; private set; }

    /// <summary>May add, edit, enable and disable lists: the catalog is an admin's (PRODUCT.md role table).</summary>
    public bool CanEditCatalog { get; private set; }

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    public string? NewZone { get; private set; }

    public string? NewName { get; private set; }

    public string? NewLists { get; private set; }

    public string? NewCodes { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(string? newZone, string? newName, string? newLists, string? newCodes, CancellationToken ct)
    {
        if (!await MayEditCatalogAsync())
        {
            return Forbid();
        }

        Dictionary<string, CatalogCode>? codes = null;
        try
        {
            codes = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, CatalogCode>>(newCodes ?? "{}", Blocklist.Json);
        }
        catch (System.Text.Json.JsonException)
        {
            (Message, MessageIsError) = ("The return codes are not valid JSON.", true);
        }

        if (codes is not null)
        {
            var outcome = await directory.AddAsync(new CatalogEntry { Zone = newZone, Name = newName, Lists = newLists, Codes = codes }, ct);
            (Message, MessageIsError) = outcome switch
            {
                { List: { } added } => ($"Added {added.Name}; it is checked at the next sweep.", false),
                { Conflict: { } clash } => ($"{clash.Zone} is already in the catalog as {clash.Name}.", true),
                _ => (outcome.Invalid, true),
            };
        }

        if (MessageIsError)
        {
            (NewZone, NewName, NewLists, NewCodes) = (newZone, newName, newLists, newCodes); // give the input back
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostToggleAsync(long id, CancellationToken ct)
    {
        if (!await MayEditCatalogAsync())
        {
            return Forbid();
        }

        var list = await directory.FindAsync(id, ct);
        if (list is not null)
        {
            await directory.UpdateAsync(id, new BlocklistPatch(Enabled: !list.Enabled), ct);
            Message = $"{list.Name} is now {(list.Enabled ? "off" : "on")}.";
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSweepAsync(CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        var queued = await coordinator.QueueAsync([], "manual", User.Identity?.Name, ct);
        if (queued.AlreadyRunning)
        {
            (Message, MessageIsError) = ($"Sweep #{queued.Run.Id} is still running; it was not started twice.", true);
            await LoadAsync(ct);
            return Page();
        }

        return Redirect($"/Blocklists/Sweep?id={queued.Run.Id}");
    }

    private async Task<bool> MayEditAsync() => (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;

    private async Task<bool> MayEditCatalogAsync() => (await authorization.AuthorizeAsync(User, Policies.AdminOnly)).Succeeded;

    private async Task LoadAsync(CancellationToken ct)
    {
        CanEdit = await MayEditAsync();
        CanEditCatalog = await MayEditCatalogAsync();
        Lists = (await directory.ListAsync(ct)).Select(l => (l.List, l.UsedToday, l.List.Definition())).ToList();
        Refused = Lists.Where(l => l.List.Enabled && l.List.Health == ListHealthState.ResolverRefused).Select(l => l.List.Name).ToList();
        LastRun = await db.SweepRuns.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
    }
}
