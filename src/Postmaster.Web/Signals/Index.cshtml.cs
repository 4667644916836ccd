using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Infrastructure.Time;

namespace Postmaster.Web.Signals;

public sealed class IndexModel(SignalQueries queries, PostmasterDbContext db, TimeProvider time, ViewerTime viewer) : PageModel
{
    public sealed record DayRow(string? Provider, string? Kind, string Status, Dictionary<DateOnly, long> Counts);

    /// <summary>Rows of the by-day table; more are counted and said, not shown.</summary>
    public const int DayRowsShown = 300;

    /// <summary>Where the open blocks table starts (each table pages on its own).</summary>
    [BindProperty(SupportsGet = true, Name = "episodes")]
    public string? EpisodesCursor { get; set; }

    [BindProperty(SupportsGet = true, Name = "quiet")]
    public string? QuietCursor { get; set; }

    [BindProperty(SupportsGet = true, Name = "samples")]
    public string? SamplesCursor { get; set; }

    public IReadOnlyList<BlockEpisode> Open { get; private set; } = [];

    public Pager OpenPager { get; private set; } = null!;

    public Pager QuietPager { get; private set; } = null!;

    public Pager SamplesPager { get; private set; } = null!;

    public int DayRowsTotal { get; private set; }

    public IReadOnlyList<DateOnly> Days { get; private set; } = [];

    public IReadOnlyList<DayRow> ByDay { get; private set; } = [];

    public IReadOnlyList<QuietRow> Quiet { get; private set; } = [];

    public IReadOnlyList<SignalSample> Samples { get; private set; } = [];

    public IReadOnlyList<(IngestReport Report, IReadOnlyList<IngestCounter.Sample> Samples)> Ingests { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        // Days as the viewer lives them (their time zone); each hourly count falls on the day its hour starts in.
        var zone = viewer.Zone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        Days = Enumerable.Range(0, 7).Select(i => today.AddDays(i - 6)).ToList();
        var since = (viewer.FromViewer(Days[0].ToDateTime(TimeOnly.MinValue)) ?? viewer.FromViewer(Days[0].ToDateTime(new TimeOnly(1, 0))))!.Value;
        var buckets = await db.SignalBuckets.AsNoTracking().Where(b => b.Hour >= since)
            .Select(b => new { b.Hour, b.Provider, b.Kind, b.Status, b.Count }).ToListAsync(ct);
        var byDay = buckets
            .GroupBy(b => (b.Provider, b.Kind, b.Status))
            .Select(g => new DayRow(
                g.Key.Provider.Length == 0 ? null : g.Key.Provider,
                g.Key.Kind.Length == 0 ? null : g.Key.Kind,
                g.Key.Status.ToApi(),
                g.GroupBy(b => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(b.Hour, zone).DateTime)).ToDictionary(d => d.Key, d => d.Sum(b => b.Count))))
            .OrderBy(r => r.Provider ?? "~").ThenBy(r => r.Kind ?? "")
            .ToList();
        DayRowsTotal = byDay.Count;
        ByDay = byDay.Take(DayRowsShown).ToList();

        var open = await queries.EpisodesAsync(openOnly: true, Paging.FromLink<SignalQueries.EpisodeKey>(EpisodesCursor), ct);
        Open = open.Items;
        OpenPager = PagerFor("episodes-pager", open, await queries.EpisodeCountAsync(openOnly: true, ct), EpisodesCursor, next => new { episodes = next }, "open blocks");

        var quiet = await queries.QuietAsync(Paging.FromLink<SignalQueries.QuietKey>(QuietCursor), ct);
        Quiet = quiet.Items;
        QuietPager = PagerFor("quiet-pager", quiet, await queries.QuietCountAsync(ct), QuietCursor, next => new { quiet = next }, "quiet IPs");

        var samples = await queries.SamplesAsync(null, null, Paging.FromLink<SignalQueries.SampleKey>(SamplesCursor, 50), ct);
        Samples = samples.Items;
        SamplesPager = PagerFor("samples-pager", samples, await queries.SampleCountAsync(null, null, ct), SamplesCursor, next => new { samples = next }, "samples");
        Ingests = (await queries.IngestsAsync(ct))
            .Select(r => (r, (IReadOnlyList<IngestCounter.Sample>)(JsonSerializer.Deserialize<List<IngestCounter.Sample>>(r.SamplesJson, Json) ?? [])))
            .ToList();
    }

    /// <summary>Each table's links carry only its own cursor: the other tables start again from their first page.</summary>
    private Pager PagerFor<T>(string id, Page<T> page, int total, string? cursor, Func<string?, object> route, string noun) => new(
        id,
        page.Items.Count,
        total,
        page.Next is null ? null : Url.Page(null, route(page.Next)),
        string.IsNullOrEmpty(cursor) ? null : Url.Page(null, route(null)),
        noun);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
