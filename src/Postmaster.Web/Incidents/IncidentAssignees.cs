using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Caching;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>The people an incident can be assigned to: the users of this installation, by email.</summary>
public static class IncidentAssignees
{
    /// <summary>A team's users fit in a select; the bound keeps an odd, huge user table from slowing every incident page.</summary>
    public const int MaxShown = 500;

    /// <summary>
    /// How long the list page's assignee filter keeps the emails it read: the list is read by every
    /// viewer on every page, and a user added a few seconds ago can wait that long to appear there.
    /// The incident page, where people assign, always reads them fresh.
    /// </summary>
    public static readonly TimeSpan FilterKeptFor = TimeSpan.FromSeconds(10);

    public static Task<List<string>> EmailsAsync(PostmasterDbContext db, CancellationToken ct) =>
        db.Users.AsNoTracking()
            .Where(u => u.Email != null)
            .OrderBy(u => u.Email)
            .Select(u => u.Email!)
            .Take(MaxShown)
            .ToListAsync(ct);

    public static async Task<IReadOnlyList<string>> ForFilterAsync(SharedReads shared, CancellationToken ct) =>
        (await shared.GetAsync("incident-assignees", FilterKeptFor, async (services, token) =>
            new Emails(await EmailsAsync(services.GetRequiredService<PostmasterDbContext>(), token)), ct)).List;

    /// <summary>The emails as the cache shares them: never changed once read.</summary>
    [ImmutableObject(true)]
    private sealed record Emails(IReadOnlyList<string> List);
}
