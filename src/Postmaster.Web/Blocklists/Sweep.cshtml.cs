using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

public sealed class SweepModel(PostmasterDbContext db) : PageModel
{
    public SweepRun Run { get; private set; } = null!;

    public SweepCoverage Coverage { get; private set; } = new(0, []);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var run = await db.SweepRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (run is null)
        {
            return NotFound();
        }

        Run = run;
        Coverage = SweepCoverage.Of(run);
        return Page();
    }
}
