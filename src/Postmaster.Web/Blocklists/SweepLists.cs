using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// Turns catalog rows into what the sweeper queries, with one rate limiter per list shared by every
/// chunk in this process (so four chunks in parallel still respect a list's limit). The limiters
/// replenish on a timer, so they are disposed with the app.
/// </summary>
public sealed class SweepLists : IDisposable
{
    private readonly ConcurrentDictionary<(long Id, int Rate), RateLimiter> _limiters = new();

    public SweepList For(Blocklist row)
    {
        var definition = row.Definition();
        RateLimiter? limiter = null;
        if (row.MaxQueriesPerSecond is { } rate and > 0)
        {
            limiter = _limiters.GetOrAdd((row.Id, rate), _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = rate,
                TokensPerPeriod = rate,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            }));
        }

        return new SweepList(definition, row.QueryZone(definition), limiter);
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }

        _limiters.Clear();
    }

    public async Task<Dictionary<long, (Blocklist Row, SweepList List)>> LoadAsync(PostmasterDbContext db, IEnumerable<long> ids, CancellationToken ct)
    {
        var wanted = ids.ToList();
        var rows = await db.Blocklists.AsNoTracking().Where(b => wanted.Contains(b.Id)).ToListAsync(ct);
        return rows.ToDictionary(r => r.Id, r => (r, For(r)));
    }
}
