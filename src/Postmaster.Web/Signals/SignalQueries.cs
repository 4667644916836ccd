using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

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

    /// <summary>Quiet rows are computed, not stored; they are paged all the same, the quietest first.</summary>
    public sealed record QuietKey(DateTimeOffset LastDelivered, string Provider, string SourceIp) : IPageKey
    {
        public static string Scope => "quiet";
    }

    /// <summary>
    /// Source IPs that delivered to a provider known to forget quiet senders and have since gone quiet:
    /// "watch" after a quarter of the provider's reset time, "high" after three quarters, "lost" past it.
    /// </summary>
    public async Task<Page<QuietRow>> QuietAsync(PageRequest<QuietKey> page, CancellationToken ct)
    {
        var all = await QuietRowsAsync(page.After?.LastDelivered, ct);
        var rows = page.After is { } after
            ? all.SkipWhile(r => QuietOrder.Compare(new QuietKey(r.LastDelivered, r.Provider, r.SourceIp), after) <= 0)
            : all;
        return Paging.Cut(rows.Take(page.Limit + 1).ToList(), page.Limit, r => new QuietKey(r.LastDelivered, r.Provider, r.SourceIp));
    }

    public async Task<int> QuietCountAsync(CancellationToken ct) => (await QuietRowsAsync(null, ct)).Count;

    /// <summary>The quiet rows, quietest first, from those last delivered at <paramref name="from"/> on.</summary>
    private async Task<List<QuietRow>> QuietRowsAsync(DateTimeOffset? from, CancellationToken ct)
    {
        var resetting = classifier.Packs.Where(p => p.QuietSenderReset is not null).ToDictionary(p => p.Slug, p => p.QuietSenderReset!.AfterDays);
        if (resetting.Count == 0)
        {
            return [];
        }

        var slugs = resetting.Keys.ToList();
        var now = time.GetUtcNow();
        // Nothing delivered within a quarter of the shortest reset time is at risk yet: the database leaves it out.
        var watchedBefore = now.AddDays(-resetting.Values.Min() / 4.0);
        var query = db.ProviderActivity.AsNoTracking()
            .Where(a => slugs.Contains(a.Provider) && a.SourceIp != "" && a.LastDelivered != null && a.LastDelivered <= watchedBefore);
        if (from is { } start)
        {
            var startUtc = start.ToUniversalTime();
            query = query.Where(a => a.LastDelivered >= startUtc);
        }

        var rows = await query.ToListAsync(ct);
        return rows
            .Select(a =>
            {
                var days = (int)(now - a.LastDelivered!.Value).TotalDays;
                var after = resetting[a.Provider];
                var risk = days >= after ? "lost" : days * 4 >= after * 3 ? "high" : days * 4 >= after ? "watch" : null;
                return risk is null ? null : new QuietRow(a.SourceIp, a.Provider, a.LastDelivered.Value, days, risk, after);
            })
            .OfType<QuietRow>()
            .Order(Comparer<QuietRow>.Create((x, y) => QuietOrder.Compare(new QuietKey(x.LastDelivered, x.Provider, x.SourceIp), new QuietKey(y.LastDelivered, y.Provider, y.SourceIp))))
            .ToList();
    }

    /// <summary>Longest quiet first; provider and IP (the stored key) make the order total, so a cursor is exact.</summary>
    private static readonly Comparer<QuietKey> QuietOrder = Comparer<QuietKey>.Create((x, y) =>
    {
        var byTime = x.LastDelivered.CompareTo(y.LastDelivered);
        if (byTime != 0)
        {
            return byTime;
        }

        var byProvider = string.CompareOrdinal(x.Provider, y.Provider);
        return byProvider != 0 ? byProvider : string.CompareOrdinal(x.SourceIp, y.SourceIp);
    });

    /// <summary>Samples are paged newest first by id.</summary>
    public sealed record SampleKey(long Id) : IPageKey
    {
        public static string Scope => "samples";
    }

    public async Task<Page<SignalSample>> SamplesAsync(string? provider, string? kind, PageRequest<SampleKey> page, CancellationToken ct)
    {
        var query = SampleFilter(provider, kind);
        if (page.After is { } after)
        {
            query = query.Where(s => s.Id < after.Id);
        }

        var rows = await query.OrderByDescending(s => s.Id).Take(page.Limit + 1).ToListAsync(ct);
        return Paging.Cut(rows, page.Limit, s => new SampleKey(s.Id));
    }

    public Task<int> SampleCountAsync(string? provider, string? kind, CancellationToken ct) => SampleFilter(provider, kind).CountAsync(ct);

    private IQueryable<SignalSample> SampleFilter(string? provider, string? kind)
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

        return query;
    }

    /// <summary>
    /// Episodes are paged newest first by id, not by last activity: an episode seen again while
    /// someone pages would otherwise jump ahead of the cursor and be missed.
    /// </summary>
    public sealed record EpisodeKey(long Id) : IPageKey
    {
        public static string Scope => "episodes";
    }

    public async Task<Page<BlockEpisode>> EpisodesAsync(bool openOnly, PageRequest<EpisodeKey> page, CancellationToken ct)
    {
        var query = EpisodeFilter(openOnly);
        if (page.After is { } after)
        {
            query = query.Where(e => e.Id < after.Id);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(page.Limit + 1).ToListAsync(ct);
        return Paging.Cut(rows, page.Limit, e => new EpisodeKey(e.Id));
    }

    public Task<int> EpisodeCountAsync(bool openOnly, CancellationToken ct) => EpisodeFilter(openOnly).CountAsync(ct);

    private IQueryable<BlockEpisode> EpisodeFilter(bool openOnly) =>
        db.BlockEpisodes.AsNoTracking().Where(e => !openOnly || e.OpenMarker == 1);

    /// <summary>How many ingest reports the Signals page shows; it says so when there are more.</summary>
    public const int IngestsShown = 50;

    public Task<List<IngestReport>> IngestsAsync(CancellationToken ct) =>
        db.IngestReports.AsNoTracking().OrderByDescending(r => r.Id).Take(IngestsShown).ToListAsync(ct);

    private static string? Null(string value) => value.Length == 0 ? null : value;
}
