using System.ComponentModel;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Core.Providers;
using Postmaster.Web.Infrastructure.Caching;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Incidents;

/// <summary>
/// Which incidents a list shows. <see cref="Active"/> is what a person means by "open" (every
/// state but resolved and wont-fix), <see cref="Closed"/> the rest; <see cref="States"/> filters exactly.
/// </summary>
public sealed record IncidentFilter(
    bool Active = false,
    IReadOnlyList<IncidentState>? States = null,
    string? Provider = null,
    IncidentSeverity? Severity = null,
    string? Assignee = null,
    long? AssetId = null,
    DateTimeOffset? OpenedBefore = null,
    DateTimeOffset? OpenedSince = null,
    bool Closed = false);

/// <summary>One incident with the first of its values, its evidence and its newest timeline lines.</summary>
public sealed record IncidentDetail(
    Incident Incident,
    Page<IncidentValue> Affected,
    IReadOnlyList<IncidentSample> Samples,
    Page<IncidentTimelineEntry> Timeline);

/// <summary>Reads incidents for the API and the pages, newest activity first, keyset-paged.</summary>
public sealed class IncidentQueries(PostmasterDbContext db, SharedReads shared)
{
    public const int DetailRows = 100;

    /// <summary>Newest activity first; the id breaks ties.</summary>
    public sealed record PageKey(DateTimeOffset At, long Id) : IPageKey
    {
        public static string Scope => "incidents";
    }

    /// <summary>Affected values in the order they were recorded.</summary>
    public sealed record ValueKey(long Id) : IPageKey
    {
        public static string Scope => "incident-values";
    }

    /// <summary>Timeline lines newest first.</summary>
    public sealed record TimelineKey(long Id) : IPageKey
    {
        public static string Scope => "incident-timeline";
    }

    public async Task<Page<Incident>> PageAsync(IncidentFilter filter, PageRequest<PageKey> page, CancellationToken ct)
    {
        var query = Filter(filter);
        if (page.After is { } after)
        {
            query = query.Where(i => i.LastActivityAt < after.At || (i.LastActivityAt == after.At && i.Id < after.Id));
        }

        // Only the columns a list row shows: half of the incident's, read and materialised on every
        // list, dashboard and API page. The rows are for reading, never for saving.
        var rows = await query.OrderByDescending(i => i.LastActivityAt).ThenByDescending(i => i.Id).Take(page.Limit + 1)
            .Select(i => new Incident
            {
                Id = i.Id,
                Provider = i.Provider,
                GroupKey = i.GroupKey,
                AssetId = i.AssetId,
                GroupValue = i.GroupValue,
                GroupLabel = i.GroupLabel,
                InInventory = i.InInventory,
                State = i.State,
                Severity = i.Severity,
                Assignee = i.Assignee,
                OpenedAt = i.OpenedAt,
                LastActivityAt = i.LastActivityAt,
                AffectedCount = i.AffectedCount,
                CitedBy = i.CitedBy,
            })
            .ToListAsync(ct);
        return Paging.Cut(rows, page.Limit, i => new PageKey(i.LastActivityAt, i.Id));
    }

    /// <summary>
    /// How many incidents each state holds under the filter's other conditions (the list's tabs).
    /// Counting means reading every matching row (nearly all of 100,000 for the closed states), so
    /// the counts are kept briefly and shared by every viewer of the same filter: the active ones
    /// for <see cref="ActiveCountsFor"/>, the closed ones (which only grow when something
    /// resolves) for <see cref="ClosedCountsFor"/>. A tab's count seconds old misleads no one; the
    /// list itself is always read fresh.
    /// </summary>
    public async Task<Dictionary<IncidentState, int>> CountByStateAsync(IncidentFilter filter, CancellationToken ct)
    {
        if (filter.Provider?.Length > Incident.MaxProviderLength || filter.Assignee?.Length > Incident.MaxAssigneeLength)
        {
            // Longer than the columns hold: nothing matches, and such a text never becomes a cache key.
            return Enum.GetValues<IncidentState>().ToDictionary(s => s, _ => 0);
        }

        var others = Rounded(filter with { States = null, Active = false, Closed = false });
        var active = await CountAsync("incident-active-counts", others with { Active = true }, ActiveCountsFor, ct);
        var closed = await CountAsync("incident-closed-counts", others with { Closed = true }, ClosedCountsFor, ct);
        return Enum.GetValues<IncidentState>().ToDictionary(s => s, s => (s.IsActive() ? active : closed).ByState.GetValueOrDefault(s));
    }

    public static readonly TimeSpan ActiveCountsFor = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan ClosedCountsFor = TimeSpan.FromSeconds(30);

    /// <summary>Counts by state as the cache shares them: never changed once read.</summary>
    [ImmutableObject(true)]
    private sealed record StateCounts(IReadOnlyDictionary<IncidentState, int> ByState);

    private ValueTask<StateCounts> CountAsync(string name, IncidentFilter filter, TimeSpan keep, CancellationToken ct) =>
        shared.GetAsync($"{name}:{JsonSerializer.Serialize(filter)}", keep, async (services, token) =>
            new StateCounts(await Filter(services.GetRequiredService<PostmasterDbContext>(), filter)
                .GroupBy(i => i.State)
                .Select(g => new { g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.Key, g => g.Count, token)), ct);

    /// <summary>Age filters move with the clock: to the minute, so the cached counts are found again.</summary>
    private static IncidentFilter Rounded(IncidentFilter filter) => filter with
    {
        OpenedBefore = Minute(filter.OpenedBefore),
        OpenedSince = Minute(filter.OpenedSince),
    };

    private static DateTimeOffset? Minute(DateTimeOffset? at) =>
        at is { } t ? new DateTimeOffset(t.Ticks - (t.Ticks % TimeSpan.TicksPerMinute), t.Offset) : null;

    public Task<Incident?> FindAsync(long id, CancellationToken ct) =>
        db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);

    public async Task<IncidentDetail?> DetailAsync(long id, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } incident)
        {
            return null;
        }

        var affected = await AffectedAsync(id, new PageRequest<ValueKey>(DetailRows, null), ct);
        var samples = await db.IncidentSamples.AsNoTracking()
            .Where(s => s.IncidentId == id)
            .OrderByDescending(s => s.Id)
            .Take(IncidentSample.PerIncident)
            .ToListAsync(ct);
        var timeline = await TimelineAsync(id, new PageRequest<TimelineKey>(DetailRows, null), ct);
        return new IncidentDetail(incident, affected, samples, timeline);
    }

    public async Task<Page<IncidentValue>> AffectedAsync(long id, PageRequest<ValueKey> page, CancellationToken ct)
    {
        var query = db.IncidentValues.AsNoTracking().Where(v => v.IncidentId == id);
        if (page.After is { } after)
        {
            query = query.Where(v => v.Id > after.Id);
        }

        var rows = await query.OrderBy(v => v.Id).Take(page.Limit + 1).ToListAsync(ct);
        return Paging.Cut(rows, page.Limit, v => new ValueKey(v.Id));
    }

    public async Task<Page<IncidentTimelineEntry>> TimelineAsync(long id, PageRequest<TimelineKey> page, CancellationToken ct)
    {
        var query = db.IncidentTimeline.AsNoTracking().Where(t => t.IncidentId == id);
        if (page.After is { } after)
        {
            query = query.Where(t => t.Id < after.Id);
        }

        var rows = await query.OrderByDescending(t => t.Id).Take(page.Limit + 1).ToListAsync(ct);
        return Paging.Cut(rows, page.Limit, t => new TimelineKey(t.Id));
    }

    /// <summary>
    /// The listing answers among an incident's values (at most <see cref="DetailRows"/>), the ones
    /// still listed first: what the lists said, for the incident's evidence.
    /// </summary>
    public Task<List<IncidentValue>> ListingAnswersAsync(long id, CancellationToken ct) =>
        db.IncidentValues.AsNoTracking()
            .Where(v => v.IncidentId == id && v.Basis == IncidentBasis.Listing)
            .OrderByDescending(v => v.Active).ThenBy(v => v.Id)
            .Take(DetailRows)
            .ToListAsync(ct);

    public Task<bool> ExistsAsync(long id, CancellationToken ct) => db.Incidents.AnyAsync(i => i.Id == id, ct);

    /// <summary>
    /// An assignee filter as incidents store it: the user's email as the user wrote it, whatever case
    /// the filter used. An email no user has (a removed user's, say) stays as given.
    /// </summary>
    public async Task<string> AssigneeAsync(string email, CancellationToken ct)
    {
        var trimmed = email.Trim();
        var normalized = trimmed.ToUpperInvariant();
        return await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? trimmed;
    }

    /// <summary>
    /// The providers a filter offers: every provider pack and catalog operator. Known from the
    /// templates, so the list page does not scan 100,000 incidents for a DISTINCT on each request.
    /// </summary>
    public static IReadOnlyList<string> KnownProviders(ProviderRegistry providers, BlocklistCatalog catalog) =>
        providers.Providers.Select(p => p.Slug)
            .Concat(catalog.Lists.Select(l => l.Provider))
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    private IQueryable<Incident> Filter(IncidentFilter filter) => Filter(db, filter);

    private static IQueryable<Incident> Filter(PostmasterDbContext db, IncidentFilter filter)
    {
        var query = db.Incidents.AsNoTracking();
        if (filter.Active)
        {
            query = query.Where(i => i.ActiveMarker == 1);
        }

        if (filter.Closed)
        {
            query = query.Where(i => i.ActiveMarker == null);
        }

        if (filter.States is [var only])
        {
            query = query.Where(i => i.State == only); // the common case (a tab): a plain comparison the planner sees through
        }
        else if (filter.States is { Count: > 1 } states)
        {
            query = query.Where(i => states.Contains(i.State));
        }

        if (!string.IsNullOrWhiteSpace(filter.Provider))
        {
            query = query.Where(i => i.Provider == filter.Provider);
        }

        if (filter.Severity is { } severity)
        {
            query = query.Where(i => i.Severity == severity);
        }

        if (!string.IsNullOrWhiteSpace(filter.Assignee))
        {
            query = query.Where(i => i.Assignee == filter.Assignee);
        }

        if (filter.AssetId is { } assetId)
        {
            query = query.Where(i => i.AssetId == assetId);
        }

        if (filter.OpenedBefore is { } before)
        {
            query = query.Where(i => i.OpenedAt < before);
        }

        if (filter.OpenedSince is { } since)
        {
            query = query.Where(i => i.OpenedAt >= since);
        }

        return query;
    }
}
