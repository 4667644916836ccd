using System.Text.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Signals;

public sealed class IndexModel(SignalQueries queries, PostmasterDbContext db, TimeProvider time) : PageModel
{
    public sealed record DayRow(string? Provider, string? Kind, string Status, Dictionary<DateOnly, long> Counts);

    public IReadOnlyList<BlockEpisode> Open { get; private set; } = [];

    public IReadOnlyList<DateOnly> Days { get; private set; } = [];

    public IReadOnlyList<DayRow> ByDay { get; private set; } = [];

    public IReadOnlyList<QuietRow> Quiet { get; private set; } = [];

    public IReadOnlyList<SignalSample> Samples { get; private set; } = [];

    public IReadOnlyList<(IngestReport Report, IReadOnlyList<IngestCounter.Sample> Samples)> Ingests { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        Days = Enumerable.Range(0, 7).Select(i => today.AddDays(i - 6)).ToList();
        var since = new DateTimeOffset(Days[0].ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var buckets = await db.SignalBuckets.AsNoTracking().Where(b => b.Hour >= since)
            .Select(b => new { b.Hour, b.Provider, b.Kind, b.Status, b.Count }).ToListAsync(ct);
        ByDay = buckets
            .GroupBy(b => (b.Provider, b.Kind, b.Status))
            .Select(g => new DayRow(
                g.Key.Provider.Length == 0 ? null : g.Key.Provider,
                g.Key.Kind.Length == 0 ? null : g.Key.Kind,
                g.Key.Status.ToApi(),
                g.GroupBy(b => DateOnly.FromDateTime(b.Hour.UtcDateTime)).ToDictionary(d => d.Key, d => d.Sum(b => b.Count))))
            .OrderBy(r => r.Provider ?? "~").ThenBy(r => r.Kind ?? "")
            .Take(300)
            .ToList();
        Open = await queries.EpisodesAsync(openOnly: true, ct);
        Quiet = await queries.QuietAsync(ct);
        Samples = await queries.SamplesAsync(null, null, 50, ct);
        Ingests = (await queries.IngestsAsync(ct))
            .Select(r => (r, (IReadOnlyList<IngestCounter.Sample>)(JsonSerializer.Deserialize<List<IngestCounter.Sample>>(r.SamplesJson, Json) ?? [])))
            .ToList();
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
