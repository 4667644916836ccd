using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Settings;

public sealed class AuditModel(AuditQueries queries) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public string? Next { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        // A link whose cursor cannot be read starts again from the newest entries.
        var page = await queries.PageAsync(Paging.FromLink<AuditQueries.PageKey>(Cursor, 50), ct);
        (Entries, Next) = (page.Items, page.Next);
    }
}
