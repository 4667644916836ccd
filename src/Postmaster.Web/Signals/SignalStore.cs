using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Signals;

/// <summary>Writes a batch: bucket counts added, samples appended and pruned, activity moved forward.</summary>
public sealed class SignalStore(PostmasterDbContext db, IOptions<SignalOptions> options, ILogger<SignalStore> log)
{
    public async Task SaveAsync(SignalBatch batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        // Two uploads may create the same bucket at once: the loser rolls back and adds to the winner's row.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SaveOnceAsync(batch, ct);
                return;
            }
            catch (DbUpdateException e) when (attempt < 5)
            {
                log.LogDebug(e, "Signal batch write conflicted, retrying");
                db.ChangeTracker.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(25 * attempt), ct);
            }
        }
    }

    private async Task SaveOnceAsync(SignalBatch batch, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var hours = batch.Buckets.Keys.Select(k => k.Hour).Distinct().ToList();
        var providers = batch.Buckets.Keys.Select(k => k.Provider).Distinct().ToList();
        var existing = await db.SignalBuckets
            .Where(b => hours.Contains(b.Hour) && providers.Contains(b.Provider))
            .ToDictionaryAsync(b => new SignalBatch.BucketKey(b.Hour, b.Provider, b.Kind, b.Status, b.SourceIp), ct);
        foreach (var (key, count) in batch.Buckets)
        {
            if (existing.TryGetValue(key, out var row))
            {
                row.Count += count;
            }
            else
            {
                db.SignalBuckets.Add(new SignalBucket { Hour = key.Hour, Provider = key.Provider, Kind = key.Kind, Status = key.Status, SourceIp = key.SourceIp, Count = count });
            }
        }

        var activityProviders = batch.Activity.Keys.Select(k => k.Provider).Distinct().ToList();
        var activity = await db.ProviderActivity.Where(a => activityProviders.Contains(a.Provider))
            .ToDictionaryAsync(a => (a.Provider, a.SourceIp), ct);
        foreach (var (key, fresh) in batch.Activity)
        {
            if (!activity.TryGetValue(key, out var row))
            {
                db.ProviderActivity.Add(new ProviderActivity
                {
                    Provider = fresh.Provider,
                    SourceIp = fresh.SourceIp,
                    Delivered = fresh.Delivered,
                    LastDelivered = fresh.LastDelivered,
                    LastRejected = fresh.LastRejected,
                });
                continue;
            }

            row.Delivered += fresh.Delivered;
            row.LastDelivered = Later(row.LastDelivered, fresh.LastDelivered);
            row.LastRejected = Later(row.LastRejected, fresh.LastRejected);
        }

        foreach (var samples in batch.Samples.Values)
        {
            db.SignalSamples.AddRange(samples.Select(Copy));
        }

        await db.SaveChangesAsync(ct);

        var keep = options.Value.SamplesPerProviderAndKind;
        foreach (var (provider, kind) in batch.Samples.Keys)
        {
            var newest = db.SignalSamples.Where(s => s.Provider == provider && s.Kind == kind).OrderByDescending(s => s.Id).Take(keep).Select(s => s.Id);
            await db.SignalSamples.Where(s => s.Provider == provider && s.Kind == kind && !newest.Contains(s.Id)).ExecuteDeleteAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    // A retried write must not reuse entities the failed attempt already handed to EF.
    private static SignalSample Copy(SignalSample s) => new()
    {
        At = s.At,
        Provider = s.Provider,
        Kind = s.Kind,
        Status = s.Status,
        SourceIp = s.SourceIp,
        RecipientDomain = s.RecipientDomain,
        Mx = s.Mx,
        SmtpCode = s.SmtpCode,
        EnhancedCode = s.EnhancedCode,
        Response = s.Response,
        Blocklist = s.Blocklist,
        MatchedRule = s.MatchedRule,
        Origin = s.Origin,
    };

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a > b ? a : b);
}
