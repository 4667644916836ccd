using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Dashboard;

public sealed class IndexModel(PostmasterDbContext db) : PageModel
{
    public long Addresses { get; private set; }

    public int Ranges { get; private set; }

    public int Domains { get; private set; }

    public int HeloNames { get; private set; }

    public int Total { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var byKind = await db.Assets.GroupBy(a => a.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count(), Addresses = g.Sum(a => a.AddressCount) })
            .ToListAsync(cancellationToken);
        Addresses = byKind.Sum(k => k.Addresses);
        Ranges = byKind.FirstOrDefault(k => k.Kind == AssetKind.Range)?.Count ?? 0;
        Domains = byKind.FirstOrDefault(k => k.Kind == AssetKind.Domain)?.Count ?? 0;
        HeloNames = byKind.FirstOrDefault(k => k.Kind == AssetKind.Helo)?.Count ?? 0;
        Total = byKind.Sum(k => k.Count);
    }
}
