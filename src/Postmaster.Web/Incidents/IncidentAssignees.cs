using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>The people an incident can be assigned to: the users of this installation, by email.</summary>
public static class IncidentAssignees
{
    /// <summary>A team's users fit in a select; the bound keeps an odd, huge user table from slowing every incident page.</summary>
    public const int MaxShown = 500;

    public static Task<List<string>> EmailsAsync(PostmasterDbContext db, CancellationToken ct) =>
        db.Users.AsNoTracking()
            .Where(u => u.Email != null)
            .OrderBy(u => u.Email)
            .Select(u => u.Email!)
            .Take(MaxShown)
            .ToListAsync(ct);
}
