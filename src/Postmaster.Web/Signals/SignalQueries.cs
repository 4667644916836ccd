using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Providers;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Signals;

public sealed record SummaryRow(string? Provider, string? Kind, string Status, string? SourceIp, long Count);

/// <summary>
/// One IP at risk at a provider that forgets quiet senders. The first eight fields are the API contract
/// (PRODUCT.md); <c>keepWarmMessages</c> (a usual day's delivered mail, null when unknown) and
/// <c>resetAfterDays</c> (the provider's published period) say how much to send and the rule behind it.
/// </summary>
public sealed record QuietRow(
    string SourceIp,
    string Provider,
    DateTimeOffset LastDelivered,
    int QuietDays,
    int? UsualCadenceDays,
    DateTimeOffset NextSendDueAt,
    QuietRisk Risk,
    string Reason,
    long? KeepWarmMessages,
    int ResetAfterDays);

/// <summary>Read models for the API and the Signals pages.</summary>
public sealed class SignalQueries(PostmasterDbContext db, ProviderRegistry providers, TimeProvider time)
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
    /// Source IPs that delivered to a provider known to forget quiet senders and have since gone
    /// quiet for longer than their own rhythm allows, or than the provider's published period
    /// (<see cref="QuietIpRule"/>).
    /// </summary>
    public async Task<Page<QuietRow>> QuietAsync(PageRequest<QuietKey> page, CancellationToken ct)
    {
        var rows = new List<QuietRow>(page.Limit + 1);
        await foreach (var row in QuietRowsAsync(page.After, ct))
        {
            rows.Add(row);
            if (rows.Count > page.Limit)
            {
                break;
            }
        }

        return Paging.Cut(rows, page.Limit, r => new QuietKey(r.LastDelivered, r.Provider, r.SourceIp));
    }

    public async Task<int> QuietCountAsync(CancellationToken ct)
    {
        var count = 0;
        await foreach (var _ in QuietRowsAsync(null, ct))
        {
            count++;
        }

        return count;
    }

    /// <summary>Candidates are assessed this many at a time, so a page reads the history of about the IPs it shows.</summary>
    private const int QuietChunk = 200;

    /// <summary>A chunk's candidates last delivered within this many days of each other: its history read spans the lookback and little more.</summary>
    private const int QuietChunkSpanDays = 30;

    /// <summary>The quiet rows, quietest first, after <paramref name="after"/>.</summary>
    private async IAsyncEnumerable<QuietRow> QuietRowsAsync(QuietKey? after, [EnumeratorCancellation] CancellationToken ct)
    {
        var packs = providers.Packs.Where(p => p.QuietSenderReset is not null).ToDictionary(p => p.Slug);
        if (packs.Count == 0)
        {
            yield break;
        }

        var slugs = packs.Keys.ToList();
        var now = time.GetUtcNow();
        // Silence shorter than any rule's earliest risk is no risk yet: the database leaves it out.
        var watchedBefore = now.AddDays(-packs.Values.Min(p => QuietIpRule.EarliestRiskDays(p.QuietSenderReset!)));
        var query = db.ProviderActivity.AsNoTracking()
            .Where(a => slugs.Contains(a.Provider) && a.SourceIp != "" && a.LastDelivered != null && a.LastDelivered <= watchedBefore);
        if (after is not null)
        {
            var startUtc = after.LastDelivered.ToUniversalTime();
            query = query.Where(a => a.LastDelivered >= startUtc);
        }

        var candidates = (await query.ToListAsync(ct))
            .Where(a => after is null || QuietOrder.Compare(KeyOf(a), after) > 0)
            .Order(Comparer<ProviderActivity>.Create((x, y) => QuietOrder.Compare(KeyOf(x), KeyOf(y))))
            .ToList();
        foreach (var chunk in Chunks(candidates))
        {
            var history = await DeliveryHistoryAsync(chunk, ct);
            foreach (var a in chunk)
            {
                var pack = packs[a.Provider];
                var assessment = QuietIpRule.Assess(pack.Name, pack.QuietSenderReset, a.LastDelivered, history.GetValueOrDefault((a.Provider, a.SourceIp), []), now);
                if (assessment.Risk != QuietRisk.None)
                {
                    yield return new QuietRow(
                        a.SourceIp, a.Provider, a.LastDelivered!.Value, assessment.QuietDays, assessment.UsualCadenceDays,
                        assessment.NextSendDueAt!.Value, assessment.Risk, assessment.Reason, assessment.KeepWarmMessages, pack.QuietSenderReset!.AfterDays);
                }
            }
        }
    }

    private static QuietKey KeyOf(ProviderActivity a) => new(a.LastDelivered!.Value, a.Provider, a.SourceIp);

    private static IEnumerable<List<ProviderActivity>> Chunks(List<ProviderActivity> sorted)
    {
        var chunk = new List<ProviderActivity>();
        foreach (var a in sorted)
        {
            if (chunk.Count == QuietChunk || (chunk.Count > 0 && a.LastDelivered - chunk[0].LastDelivered > TimeSpan.FromDays(QuietChunkSpanDays)))
            {
                yield return chunk;
                chunk = [];
            }

            chunk.Add(a);
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    /// <summary>Delivered mail per day over the rule's lookback before each pair's last delivery, for one chunk of candidates.</summary>
    private async Task<Dictionary<(string Provider, string SourceIp), List<DeliveryDay>>> DeliveryHistoryAsync(List<ProviderActivity> chunk, CancellationToken ct)
    {
        var providers = chunk.Select(a => a.Provider).Distinct().ToList();
        var ips = chunk.Select(a => a.SourceIp).Distinct().ToList();
        var from = chunk[0].LastDelivered!.Value.ToUniversalTime().Date;
        var start = new DateTimeOffset(from, TimeSpan.Zero).AddDays(-QuietIpRule.LookbackDays);
        var end = chunk[^1].LastDelivered!.Value.ToUniversalTime();
        var buckets = await db.SignalBuckets.AsNoTracking()
            .Where(b => b.Status == DeliveryStatus.Delivered && providers.Contains(b.Provider) && ips.Contains(b.SourceIp) && b.Hour >= start && b.Hour <= end)
            .Select(b => new { b.Provider, b.SourceIp, b.Hour, b.Count })
            .ToListAsync(ct);
        return buckets
            .GroupBy(b => (b.Provider, b.SourceIp))
            .ToDictionary(
                g => g.Key,
                g => g.GroupBy(b => DateOnly.FromDateTime(b.Hour.UtcDateTime)).Select(d => new DeliveryDay(d.Key, d.Sum(b => b.Count))).ToList());
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
