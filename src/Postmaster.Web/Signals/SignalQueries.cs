using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Signals;

public sealed record SummaryRow(string? Provider, string? Kind, string Status, string? SourceIp, long Count);

public sealed record QuietRow(string SourceIp, string Provider, DateTimeOffset LastDelivered, int QuietDays, string Risk, int ResetAfterDays);

/// <summary>Read models for the API and the Signals pages.</summary>
public sealed class SignalQueries(PostmasterDbContext db, ResponseClassifier classifier, TimeProvider time)
{
    public async Task<IReadOnlyList<SummaryRow>> SummaryAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        var from = new DateTimeOffset(since.UtcDateTime.Year, since.UtcDateTime.Month, since.UtcDateTime.Day, since.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
        var rows = await db.SignalBuckets.AsNoTracking()
            .Where(b => b.Hour >= from && b.Hour < until)
            .GroupBy(b => new { b.Provider, b.Kind, b.Status, b.SourceIp })
            .Select(g => new { g.Key.Provider, g.Key.Kind, g.Key.Status, g.Key.SourceIp, Count = g.Sum(b => b.Count) })
            .ToListAsync(ct);
        return rows
            .OrderByDescending(r => r.Count)
            .Select(r => new SummaryRow(Null(r.Provider), Null(r.Kind), r.Status.ToApi(), Null(r.SourceIp), r.Count))
            .ToList();
    }

    /// <summary>
    /// Source IPs that delivered to a provider known to forget quiet senders and have since gone quiet:
    /// "watch" after a quarter of the provider's reset time, "high" after three quarters, "lost" past it.
    /// </summary>
    public async Task<IReadOnlyList<QuietRow>> QuietAsync(CancellationToken ct)
    {
        var resetting = classifier.Packs.Where(p => p.QuietSenderReset is not null).ToDictionary(p => p.Slug, p => p.QuietSenderReset!.AfterDays);
        if (resetting.Count == 0)
        {
            return [];
        }

        var slugs = resetting.Keys.ToList();
        var now = time.GetUtcNow();
        var rows = await db.ProviderActivity.AsNoTracking()
            .Where(a => slugs.Contains(a.Provider) && a.SourceIp != "" && a.LastDelivered != null)
            .ToListAsync(ct);
        return rows
            .Select(a =>
            {
                var days = (int)(now - a.LastDelivered!.Value).TotalDays;
                var after = resetting[a.Provider];
                var risk = days >= after ? "lost" : days * 4 >= after * 3 ? "high" : days * 4 >= after ? "watch" : null;
                return risk is null ? null : new QuietRow(a.SourceIp, a.Provider, a.LastDelivered.Value, days, risk, after);
            })
            .OfType<QuietRow>()
            .OrderByDescending(r => r.QuietDays)
            .ToList();
    }

    public Task<List<SignalSample>> SamplesAsync(string? provider, string? kind, int take, CancellationToken ct)
    {
        var query = db.SignalSamples.AsNoTracking();
        if (provider is not null)
        {
            query = query.Where(s => s.Provider == provider);
        }

        if (kind is not null)
        {
            query = query.Where(s => s.Kind == kind);
        }

        return query.OrderByDescending(s => s.Id).Take(take).ToListAsync(ct);
    }

    public Task<List<BlockEpisode>> EpisodesAsync(bool openOnly, CancellationToken ct) =>
        db.BlockEpisodes.AsNoTracking().Where(e => !openOnly || e.OpenMarker == 1).OrderByDescending(e => e.LastSeenAt).Take(500).ToListAsync(ct);

    public Task<List<IngestReport>> IngestsAsync(CancellationToken ct) =>
        db.IngestReports.AsNoTracking().OrderByDescending(r => r.Id).Take(50).ToListAsync(ct);

    private static string? Null(string value) => value.Length == 0 ? null : value;
}
