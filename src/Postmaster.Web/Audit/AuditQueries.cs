using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Audit;

public sealed class AuditQueries(PostmasterDbContext db)
{
    /// <summary>The trail is paged newest first by id: ids only grow, so a page stays put while new entries arrive.</summary>
    public sealed record PageKey(long Id) : IPageKey
    {
        public static string Scope => "audit";
    }

    public async Task<Page<AuditEntry>> PageAsync(PageRequest<PageKey> page, CancellationToken ct)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (page.After is { } after)
        {
            query = query.Where(e => e.Id < after.Id);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(page.Limit + 1).ToListAsync(ct);
        return Paging.Cut(rows, page.Limit, e => new PageKey(e.Id));
    }
}
