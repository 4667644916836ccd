using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Audit;

namespace Postmaster.Web.Settings;

public sealed class AuditModel(AuditQueries queries) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public string? Next { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!AuditQueries.TryParseCursor(Cursor, out var before))
        {
            return Redirect("/Settings/Audit");
        }

        var page = await queries.PageAsync(before, AuditQueries.DefaultLimit, ct);
        (Entries, Next) = (page.Items, page.Next);
        return Page();
    }
}
