using Postmaster.Core.Blocklists;
using Postmaster.Web.Alerts;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// Runs lists' RFC 5782 test points and records the verdict on the catalog row. Sweeps and look-ups
/// both come through here, so a list quarantined by one is quarantined for the other.
/// </summary>
public sealed class ListHealthChecks(PostmasterDbContext db, SweepLists sweepLists, DnsblSweeper sweeper, AlertTrigger alerts, TimeProvider time, ILogger<ListHealthChecks> log)
{
    /// <summary>Checks the given (tracked) rows side by side, records each verdict and saves.</summary>
    public async Task<IReadOnlyDictionary<long, ListHealth>> CheckAsync(IReadOnlyCollection<Blocklist> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return new Dictionary<long, ListHealth>();
        }

        var checks = rows.Select(async row =>
        {
            try
            {
                return (row, await sweeper.CheckHealthAsync(sweepLists.For(row), ct));
            }
            catch (CatalogException e)
            {
                return (row, new ListHealth(ListHealthState.Quarantined, e.Message, ListHealthCause.InvalidDefinition));
            }
        });
        var now = time.GetUtcNow();
        var verdicts = new Dictionary<long, ListHealth>();
        var alerted = false;
        foreach (var (row, health) in await Task.WhenAll(checks))
        {
            if (row.Health != health.State)
            {
                log.LogWarning("Blocklist {Slug} health {From} → {To}: {Detail}", row.Slug, row.Health, health.State, health.Detail);

                // Saved below with the verdict, in one transaction.
                alerted |= await AlertOutbox.AddListHealthAsync(db, row, health, now, ct);
            }

            row.Health = health.State;
            row.HealthDetail = ColumnText.Fit(health.Detail, 1000);
            row.HealthCheckedAt = now;
            verdicts[row.Id] = health;
        }

        await db.SaveChangesAsync(ct);
        if (alerted)
        {
            alerts.Poke();
        }

        return verdicts;
    }

    /// <summary>Whether a look-up must run the test points again before it trusts the list.</summary>
    public static bool IsStale(Blocklist row, DateTimeOffset now, TimeSpan maxAge) =>
        row.Health == ListHealthState.Unchecked || row.HealthCheckedAt is not { } checkedAt || now - checkedAt > maxAge;
}
