using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Audit;

/// <summary>A page of the trail, newest first; <see cref="Next"/> is the cursor of the next (older) page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, string? Next);

public sealed class AuditQueries(PostmasterDbContext db)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>
    /// The cursor is the id of the last entry shown: ids only grow, so a page stays stable while
    /// new entries arrive at the top.
    /// </summary>
    public static bool TryParseCursor(string? cursor, out long? before)
    {
        before = null;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        if (long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            before = id;
            return true;
        }

        return false;
    }

    public async Task<AuditPage> PageAsync(long? before, int limit, CancellationToken ct)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (before is { } id)
        {
            query = query.Where(e => e.Id < id);
        }

        // One more than asked tells whether an older page exists without counting.
        var rows = await query.OrderByDescending(e => e.Id).Take(limit + 1).ToListAsync(ct);
        var items = rows.Take(limit).ToList();
        var next = rows.Count > limit ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new AuditPage(items, next);
    }
}
