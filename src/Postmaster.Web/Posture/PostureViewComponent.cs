using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Posture;

/// <summary>What the checklist partial shows: the stored result (null when never checked) and whether the group is in the inventory.</summary>
public sealed record PostureChecklist(string Value, long? AssetId, PostureView? View, bool ShowAssetLink);

/// <summary>
/// The stored posture checklist of an asset, for pages that show an asset group (the incident
/// page): <c>@await Component.InvokeAsync("Posture", new { assetId, value })</c>. Reads only; it never
/// looks anything up, so a page stays fast.
/// </summary>
public sealed class PostureViewComponent(PostmasterDbContext db, PostureQueries queries) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(long? assetId, string value)
    {
        var asset = assetId is { } id ? await db.Assets.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, HttpContext.RequestAborted) : null;
        var view = asset is null ? null : await queries.ReadAsync(asset, HttpContext.RequestAborted);
        return View("~/Posture/_PostureChecklist.cshtml", new PostureChecklist(value, asset?.Id, view, ShowAssetLink: true));
    }
}
