using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
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
/// One reading of the installation for the dashboard. Every read is bounded (the newest rows
/// through an index, plus plain counts), so it stays fast with 100,000 incidents (PRODUCT.md
/// performance goals). Shared by every viewer, so never changed once read.
/// </summary>
[ImmutableObject(true)]
public sealed class DashboardSnapshot
{
    public const int IncidentsShown = 50;
    public const int EpisodesShown = 5;
    public const int QuietShown = 5;
    public const int FollowUpsShown = 5;

    /// <summary>Counted up to here ("more than 100"): each quiet row reads its IP's delivery history, and the dashboard must stay fast.</summary>
    public const int QuietCounted = 100;

    public int ActiveIncidents { get; private init; }

    public IReadOnlyList<ProviderIncidents> Groups { get; private init; } = [];

    public int IncidentsListed { get; private init; }

    public ListHealthCounts Lists { get; private init; } = new(0, 0, 0, 0, 0);

    public SweepRun? LastSweep { get; private init; }

    public SweepCoverage? Coverage { get; private init; }

    public int OpenEpisodes { get; private init; }

    public IReadOnlyList<BlockEpisode> Episodes { get; private init; } = [];

    public int QuietCount { get; private init; }

    /// <summary>The quiet rows are computed, not stored: past this many the count says "more than".</summary>
    public bool QuietMore { get; private init; }

    public IReadOnlyList<QuietRow> Quiet { get; private init; } = [];

    /// <summary>Requests whose follow-up is due (submitted or replied, follow-up time passed), the longest overdue first.</summary>
    public IReadOnlyList<ProviderRequest> FollowUps { get; private init; } = [];

    public int FollowUpsDue { get; private init; }

    public long Addresses { get; private init; }

    public int Ranges { get; private init; }

    public int Domains { get; private init; }

    public int HeloNames { get; private init; }

    public int Total { get; private init; }

    /// <summary>When the figures were read.</summary>
    public DateTimeOffset AsOf { get; private init; }

    public static async Task<DashboardSnapshot> ReadAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PostmasterDbContext>();
        var incidents = services.GetRequiredService<IncidentQueries>();
        var signals = services.GetRequiredService<SignalQueries>();
        var requests = services.GetRequiredService<RequestQueries>();
        var asOf = services.GetRequiredService<TimeProvider>().GetUtcNow();

        // The newest active incidents through the (ActiveMarker, LastActivityAt, Id) index, and one count.
        var newest = await incidents.PageAsync(new IncidentFilter(Active: true), new PageRequest<IncidentQueries.PageKey>(IncidentsShown, null), ct);
        var activeIncidents = await db.Incidents.CountAsync(i => i.ActiveMarker == 1, ct);
        var health = await db.Blocklists.AsNoTracking().Where(b => b.Enabled)
            .GroupBy(b => b.Health).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int Of(ListHealthState state) => health.FirstOrDefault(h => h.Key == state)?.Count ?? 0;
        var lastSweep = await db.SweepRuns.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        var episodes = await signals.EpisodesAsync(openOnly: true, new PageRequest<SignalQueries.EpisodeKey>(EpisodesShown, null), ct);
        var openEpisodes = await signals.EpisodeCountAsync(openOnly: true, ct);
        var quiet = await signals.QuietAsync(new PageRequest<SignalQueries.QuietKey>(QuietCounted, null), ct);
        var followUps = await requests.DueAsync(FollowUpsShown, ct);
        var followUpsDue = followUps.Count < FollowUpsShown ? followUps.Count : await requests.CountAsync(new RequestFilter(Due: true), ct);
        var byKind = await db.Assets.GroupBy(a => a.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count(), Addresses = g.Sum(a => a.AddressCount) })
            .ToListAsync(ct);
        int CountOf(AssetKind kind) => byKind.FirstOrDefault(k => k.Kind == kind)?.Count ?? 0;

        return new DashboardSnapshot
        {
            AsOf = asOf,
            ActiveIncidents = activeIncidents,
            IncidentsListed = newest.Items.Count,
            Groups = newest.Items
                .GroupBy(i => i.Provider)
                .Select(g => new ProviderIncidents(g.Key, g.OrderByDescending(i => i.Severity).ThenByDescending(i => i.LastActivityAt).ThenByDescending(i => i.Id).ToList()))
                .OrderByDescending(g => g.Incidents[0].Severity)
                .ThenByDescending(g => g.Incidents.Max(i => i.LastActivityAt))
                .ToList(),
            Lists = new ListHealthCounts(health.Sum(h => h.Count), Of(ListHealthState.Healthy), Of(ListHealthState.Quarantined), Of(ListHealthState.ResolverRefused), Of(ListHealthState.Unchecked)),
            LastSweep = lastSweep,
            Coverage = lastSweep is null ? null : SweepCoverage.Of(lastSweep),
            Episodes = episodes.Items,
            OpenEpisodes = openEpisodes,
            QuietCount = quiet.Items.Count,
            QuietMore = quiet.Next is not null,
            Quiet = quiet.Items.Take(QuietShown).ToList(),
            FollowUps = followUps,
            FollowUpsDue = followUpsDue,
            Addresses = byKind.Sum(k => k.Addresses),
            Ranges = CountOf(AssetKind.Range),
            Domains = CountOf(AssetKind.Domain),
            HeloNames = CountOf(AssetKind.Helo),
            Total = byKind.Sum(k => k.Count),
        };
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
