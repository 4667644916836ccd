using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Providers;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>How one list of the operator says a listing goes away (the catalog's delisting facts).</summary>
public sealed record ListRemedy(string Name, string Zone, string? DelistUrl, string? DelistProcedure, string? AutoExpiry)
{
    public bool Known => DelistUrl is not null || DelistProcedure is not null || AutoExpiry is not null;
}

/// <summary>
/// What to do about an incident, as far as Postmaster knows it: the provider pack's remediation
/// (channel, address, turnaround, follow-up) and, for a list operator, the delisting facts of
/// the lists involved. Both are data (templates/), so a provider without them simply has none.
/// </summary>
public sealed record IncidentNextSteps(string Provider, string? ProviderName, Remediation? Remediation, IReadOnlyList<ListRemedy> Lists)
{
    /// <summary>
    /// Lists turned off that still hold a listed value of the incident: sweeps no longer ask them,
    /// so those values are never checked clean and the incident cannot resolve itself.
    /// </summary>
    public IReadOnlyList<string> TurnedOff { get; init; } = [];

    public bool Known => Remediation is not null || Lists.Any(l => l.Known);

    /// <summary>Only web addresses become links: the catalog and packs are editable text.</summary>
    public static Uri? WebLink(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;

    public static async Task<IncidentNextSteps> ForAsync(Incident incident, PostmasterDbContext db, ProviderRegistry providers, CancellationToken ct)
    {
        var pack = providers.Find(incident.Provider);

        // The lists the incident's listings came from; an incident opened by a rejection that cited
        // the operator has none, and then every list of that operator is what may apply.
        var listed = await db.IncidentValues.AsNoTracking()
            .Where(v => v.IncidentId == incident.Id && v.Basis == IncidentBasis.Listing && v.BlocklistId != null)
            .Select(v => new { Id = v.BlocklistId!.Value, v.Active })
            .Distinct()
            .ToListAsync(ct);
        var involved = listed.Select(l => l.Id).Distinct().ToList();
        var stillListed = listed.Where(l => l.Active).Select(l => l.Id).ToHashSet();
        var lists = new List<ListRemedy>();
        var turnedOff = new List<string>();
        foreach (var row in await db.Blocklists.AsNoTracking().OrderBy(b => b.Name).ToListAsync(ct))
        {
            if (!row.Enabled && stillListed.Contains(row.Id))
            {
                turnedOff.Add(row.Name);
            }

            var definition = row.Definition();
            var provider = definition.Provider.Length > 0 ? definition.Provider : definition.Slug;
            if (involved.Count > 0 ? involved.Contains(row.Id) : provider == incident.Provider && row.Enabled)
            {
                lists.Add(new ListRemedy(row.Name, row.Zone, definition.DelistUrl, definition.DelistProcedure, definition.AutoExpiry));
            }
        }

        return new IncidentNextSteps(incident.Provider, pack?.Name, pack?.Remediation, lists) { TurnedOff = turnedOff };
    }
}
