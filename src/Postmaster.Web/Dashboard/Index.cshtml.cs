using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Postmaster.Core.Assets;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Core.Signals;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Requests;
using Postmaster.Web.Signals;

namespace Postmaster.Web.Dashboard;

/// <summary>Active incidents of one provider on the dashboard, the worst first.</summary>
public sealed record ProviderIncidents(string Provider, IReadOnlyList<Incident> Incidents)
{
    public IEnumerable<(IncidentSeverity Severity, int Count)> BySeverity =>
        Incidents.GroupBy(i => i.Severity).OrderByDescending(g => g.Key).Select(g => (g.Key, g.Count()));
}

/// <summary>Enabled lists by health: a list that is not healthy says nothing a sweep can use.</summary>
public sealed record ListHealthCounts(int Enabled, int Healthy, int Quarantined, int Refusing, int Unchecked);

/// <summary>
/// The triage view: what is blocked now, whether the last sweep could see anything, and the other
/// signs of trouble. Every read is bounded (the newest rows through an index, plus plain counts),
/// so the page stays fast with 100,000 incidents (PRODUCT.md performance goals).
/// </summary>
public sealed class IndexModel(
    PostmasterDbContext db, IncidentQueries incidents, SignalQueries signals, RequestQueries requests, IMemoryCache cache, TimeProvider time) : PageModel
{
    public const int IncidentsShown = 50;
    public const int EpisodesShown = 5;
    public const int QuietShown = 5;
    public const int FollowUpsShown = 5;

    /// <summary>Counted up to here ("more than 100"): each quiet row reads its IP's delivery history, and the dashboard must stay fast.</summary>
    public const int QuietCounted = 100;

    public int ActiveIncidents { get; private set; }

    public IReadOnlyList<ProviderIncidents> Groups { get; private set; } = [];

    public int IncidentsListed { get; private set; }

    public ListHealthCounts Lists { get; private set; } = new(0, 0, 0, 0, 0);

    public SweepRun? LastSweep { get; private set; }

    public SweepCoverage? Coverage { get; private set; }

    public int OpenEpisodes { get; private set; }

    public IReadOnlyList<BlockEpisode> Episodes { get; private set; } = [];

    public int QuietCount { get; private set; }

    /// <summary>The quiet rows are computed, not stored: past this many the count says "more than".</summary>
    public bool QuietMore { get; private set; }

    public IReadOnlyList<QuietRow> Quiet { get; private set; } = [];

    /// <summary>Requests whose follow-up is due (submitted or replied, follow-up time passed), the longest overdue first.</summary>
    public IReadOnlyList<ProviderRequest> FollowUps { get; private set; } = [];

    public int FollowUpsDue { get; private set; }

    public long Addresses { get; private set; }

    public int Ranges { get; private set; }

    public int Domains { get; private set; }

    public int HeloNames { get; private set; }

    public int Total { get; private set; }

    /// <summary>How long one reading of the installation serves every viewer: the page says as of when.</summary>
    public static readonly TimeSpan SnapshotFor = TimeSpan.FromSeconds(5);

    /// <summary>When the figures on the page were read.</summary>
    public DateTimeOffset AsOf { get; private set; }

    /// <summary>
    /// The figures are read at most every <see cref="SnapshotFor"/> and shared by every viewer: 32
    /// people (or one wall screen per team) refreshing the triage view cost one set of queries, not
    /// 32, and a change shows within seconds (alerts are the fast path).
    /// </summary>
    public async Task OnGetAsync(CancellationToken ct)
    {
        var snapshot = await cache.GetOrCreateAsync("dashboard-snapshot", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = SnapshotFor;
            entry.Size = 1;
            var fresh = new IndexModel(db, incidents, signals, requests, cache, time);
            await fresh.LoadAsync(ct);
            return fresh;
        });
        CopyFrom(snapshot!);
    }

    private void CopyFrom(IndexModel s)
    {
        (AsOf, ActiveIncidents, Groups, IncidentsListed, Lists, LastSweep, Coverage) =
            (s.AsOf, s.ActiveIncidents, s.Groups, s.IncidentsListed, s.Lists, s.LastSweep, s.Coverage);
        (OpenEpisodes, Episodes, QuietCount, QuietMore, Quiet) = (s.OpenEpisodes, s.Episodes, s.QuietCount, s.QuietMore, s.Quiet);
        (FollowUps, FollowUpsDue) = (s.FollowUps, s.FollowUpsDue);
        (Addresses, Ranges, Domains, HeloNames, Total) = (s.Addresses, s.Ranges, s.Domains, s.HeloNames, s.Total);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        AsOf = time.GetUtcNow();
        // The newest active incidents through the (ActiveMarker, LastActivityAt, Id) index, and one count.
        var newest = await incidents.PageAsync(new IncidentFilter(Active: true), new PageRequest<IncidentQueries.PageKey>(IncidentsShown, null), ct);
        ActiveIncidents = await db.Incidents.CountAsync(i => i.ActiveMarker == 1, ct);
        IncidentsListed = newest.Items.Count;
        Groups = newest.Items
            .GroupBy(i => i.Provider)
            .Select(g => new ProviderIncidents(g.Key, g.OrderByDescending(i => i.Severity).ThenByDescending(i => i.LastActivityAt).ThenByDescending(i => i.Id).ToList()))
            .OrderByDescending(g => g.Incidents[0].Severity)
            .ThenByDescending(g => g.Incidents.Max(i => i.LastActivityAt))
            .ToList();

        var health = await db.Blocklists.AsNoTracking().Where(b => b.Enabled)
            .GroupBy(b => b.Health).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int Of(ListHealthState state) => health.FirstOrDefault(h => h.Key == state)?.Count ?? 0;
        Lists = new ListHealthCounts(health.Sum(h => h.Count), Of(ListHealthState.Healthy), Of(ListHealthState.Quarantined), Of(ListHealthState.ResolverRefused), Of(ListHealthState.Unchecked));

        LastSweep = await db.SweepRuns.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        Coverage = LastSweep is null ? null : SweepCoverage.Of(LastSweep);

        var episodes = await signals.EpisodesAsync(openOnly: true, new PageRequest<SignalQueries.EpisodeKey>(EpisodesShown, null), ct);
        Episodes = episodes.Items;
        OpenEpisodes = await signals.EpisodeCountAsync(openOnly: true, ct);

        var quiet = await signals.QuietAsync(new PageRequest<SignalQueries.QuietKey>(QuietCounted, null), ct);
        (QuietCount, QuietMore, Quiet) = (quiet.Items.Count, quiet.Next is not null, quiet.Items.Take(QuietShown).ToList());

        FollowUps = await requests.DueAsync(FollowUpsShown, ct);
        FollowUpsDue = FollowUps.Count < FollowUpsShown ? FollowUps.Count : await requests.CountAsync(new RequestFilter(Due: true), ct);

        var byKind = await db.Assets.GroupBy(a => a.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count(), Addresses = g.Sum(a => a.AddressCount) })
            .ToListAsync(ct);
        Addresses = byKind.Sum(k => k.Addresses);
        Ranges = byKind.FirstOrDefault(k => k.Kind == AssetKind.Range)?.Count ?? 0;
        Domains = byKind.FirstOrDefault(k => k.Kind == AssetKind.Domain)?.Count ?? 0;
        HeloNames = byKind.FirstOrDefault(k => k.Kind == AssetKind.Helo)?.Count ?? 0;
        Total = byKind.Sum(k => k.Count);
    }

    /// <summary>
    /// What the last sweep amounts to, for the card's colour: a failed run, or one that asked no
    /// list, is never shown as clean (PRODUCT.md: a sweep that checked nothing is no clean check).
    /// </summary>
    public SweepVerdict Verdict => LastSweep switch
    {
        null => SweepVerdict.None,
        { State: SweepState.Queued or SweepState.Running } => SweepVerdict.Running,
        { State: SweepState.Failed } => SweepVerdict.Failed,
        _ when Coverage is null || Coverage.ListsChecked == 0 || LastSweep.Total == 0 => SweepVerdict.CheckedNothing,
        _ when Coverage.ListsSkipped > 0 || LastSweep.Unknown > 0 => SweepVerdict.Partial,
        _ => SweepVerdict.Checked,
    };
}

public enum SweepVerdict
{
    None,
    Running,
    Failed,
    CheckedNothing,
    Partial,
    Checked,
}
