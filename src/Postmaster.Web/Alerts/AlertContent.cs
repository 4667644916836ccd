using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Alerts;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Providers;
using Postmaster.Core.Signals;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Alerts;

/// <summary>
/// Loads what a message says about its alerts: each incident as it stands now (state, severity,
/// values, evidence, the provider's next step), read when the message is first rendered. Bounded:
/// the first <see cref="AlertRenderer.FullItems"/> alerts get evidence and next steps, every alert
/// gets its headline, a digest of a /16 costs a few queries, not one per address.
/// </summary>
public sealed class AlertContent(PostmasterDbContext db, ProviderRegistry registry, IncidentProviders providers, PublicLinks links)
{
    private const int EvidenceValues = 10;
    private const int EvidenceSamples = 3;

    public async Task<IReadOnlyList<AlertView>> LoadAsync(IReadOnlyCollection<long> alertIds, CancellationToken ct)
    {
        var alerts = new List<Alert>();
        foreach (var chunk in alertIds.Chunk(500))
        {
            var ids = chunk.ToList();
            alerts.AddRange(await db.Alerts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToListAsync(ct));
        }

        alerts = [.. alerts.OrderBy(a => a.At).ThenBy(a => a.Id)];
        var incidentIds = alerts.Where(a => a.IncidentId is not null).Select(a => a.IncidentId!.Value).Distinct().ToList();
        var incidents = new Dictionary<long, Incident>();
        var firstListing = new Dictionary<long, IncidentValue>();
        foreach (var chunk in incidentIds.Chunk(500))
        {
            var ids = chunk.ToList();
            foreach (var incident in await db.Incidents.AsNoTracking().Where(i => ids.Contains(i.Id)).ToListAsync(ct))
            {
                incidents[incident.Id] = incident;
            }

            var firstIds = await db.IncidentValues.AsNoTracking()
                .Where(v => ids.Contains(v.IncidentId) && v.Basis == IncidentBasis.Listing)
                .GroupBy(v => v.IncidentId).Select(g => g.Min(v => v.Id)).ToListAsync(ct);
            foreach (var value in await db.IncidentValues.AsNoTracking().Where(v => firstIds.Contains(v.Id)).ToListAsync(ct))
            {
                firstListing[value.IncidentId] = value;
            }
        }

        var lists = await providers.ListsAsync(ct);
        var views = new List<AlertView>(alerts.Count);
        var detailed = 0;
        foreach (var alert in alerts)
        {
            var full = detailed++ < AlertRenderer.FullItems;
            if (alert.IncidentId is { } id && incidents.TryGetValue(id, out var incident))
            {
                views.Add(await IncidentViewAsync(alert, incident, firstListing.GetValueOrDefault(id), lists, full, ct));
            }
            else
            {
                views.Add(new AlertView(alert.Id, alert.Kind, alert.At, alert.Summary, alert.Detail, null,
                    [.. alert.ValueLines()], Math.Max(alert.ValueCount, alert.ValueLines().Count()), [], [], links.For(alert.Link ?? "/")));
            }
        }

        return views;
    }

    private async Task<AlertView> IncidentViewAsync(
        Alert alert, Incident incident, IncidentValue? listing, IReadOnlyDictionary<long, ListOperator> lists, bool full, CancellationToken ct)
    {
        var url = links.For($"/incidents/{incident.Id}");
        var snapshot = new AlertIncident(incident.Id, incident.Provider, AssetGroupResponse.From(incident), incident.State.ToApi(), incident.Severity.ToApi(), incident.AffectedCount, url);
        var values = await db.IncidentValues.AsNoTracking()
            .Where(v => v.IncidentId == incident.Id)
            .OrderByDescending(v => v.Active).ThenBy(v => v.Id)
            .Take(full ? 100 : EvidenceValues)
            .ToListAsync(ct);
        var headline = Headline(alert, incident, listing, values, lists);
        var evidence = new List<string>();
        var steps = new List<string>();
        if (full)
        {
            foreach (var v in values.Where(v => v.Basis == IncidentBasis.Listing).Take(EvidenceValues))
            {
                var reason = v.Reason is { Length: > 0 } r ? $": {Cut(r, 300)}" : "";
                evidence.Add($"{v.Value} on {v.Source}: {v.Codes}{(v.Categories.Length > 0 ? $" ({v.Categories})" : "")}{reason}{(v.Active ? "" : " (cleared)")}");
            }

            var samples = await db.IncidentSamples.AsNoTracking().Where(s => s.IncidentId == incident.Id)
                .OrderByDescending(s => s.Id).Take(EvidenceSamples).ToListAsync(ct);
            foreach (var s in samples)
            {
                var at = s.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
                evidence.Add($"{at} UTC {s.Receiver}{(s.Mx is { } mx ? $" ({mx})" : "")} refused {s.SourceIp}: {Reply(s)}");
            }

            steps.AddRange(NextSteps(await IncidentNextSteps.ForAsync(incident, db, registry, ct)));
        }

        return new AlertView(alert.Id, alert.Kind, alert.At, headline, alert.Detail, snapshot,
            [.. values.Select(v => v.Value).Distinct(StringComparer.Ordinal)], incident.AffectedCount, evidence, steps, url);
    }

    /// <summary>
    /// The line a person triages from a lock screen: who blocks what, and what changed —
    /// "Spamhaus SBL lists 192.0.2.10 (pool-a), new incident #12".
    /// </summary>
    internal string Headline(Alert alert, Incident incident, IncidentValue? listing, IReadOnlyList<IncidentValue> values, IReadOnlyDictionary<long, ListOperator> lists)
    {
        var byListing = listing is not null;
        var who = byListing ? ListerName(listing!, lists) : ProviderName(incident.Provider);
        var sample = values.FirstOrDefault(v => v.Active) ?? (values.Count > 0 ? values[0] : null);

        // Values are rows per value and list (or receiver): count the addresses and domains themselves.
        var distinct = values.Select(v => v.Value).Distinct(StringComparer.Ordinal).Count();
        var count = values.Count < 100 ? distinct : incident.AffectedCount;
        var single = count <= 1 && sample is not null;
        var what = single ? sample!.Value
            : values.All(v => IPAddress.TryParse(v.Value, out _))
                ? (incident.GroupSize > 1 ? $"{count:N0} addresses of {incident.GroupValue}" : $"{count:N0} addresses")
                : $"{count:N0} values of {incident.GroupValue}";

        var about = new List<string>();
        if (incident.GroupLabel is { Length: > 0 } label)
        {
            about.Add(label);
        }

        if (single && sample!.Value != incident.GroupValue)
        {
            about.Add(incident.GroupValue);
        }

        if (!incident.InInventory)
        {
            about.Add("not in inventory");
        }

        var context = about.Count > 0 ? $" ({string.Join(" · ", about)})" : "";
        var cited = !byListing && incident.CitedByList().Any() ? $", cited by {string.Join(", ", incident.CitedByList())}" : "";
        var blocks = byListing ? "lists" : "refuses mail from";
        var id = incident.Id;
        return alert.Kind switch
        {
            AlertKinds.IncidentOpened => $"{who} {blocks} {what}{context}{cited}, new incident #{id}",
            AlertKinds.IncidentReopened => $"{who} {blocks} {what}{context} again, incident #{id} reopened",
            AlertKinds.IncidentResolved => byListing
                ? $"{who} no longer lists {what}{context}, incident #{id} resolved"
                : $"{who} accepts mail from {what}{context} again, incident #{id} resolved",
            AlertKinds.IncidentSeverityRaised => $"{who} {blocks} {what}{context}: severity now {incident.Severity.ToApi()}, incident #{id}",
            _ => alert.Summary,
        };
    }

    /// <summary>
    /// The list component a person knows ("Spamhaus SBL", "SURBL PH", "URIBL black"), read from the
    /// catalog's meaning of the code answered; the list's name when the meaning does not start with one.
    /// </summary>
    internal static string ListerName(IncidentValue listing, IReadOnlyDictionary<long, ListOperator> lists)
    {
        if (listing.BlocklistId is not { } listId || !lists.TryGetValue(listId, out var list))
        {
            return listing.Source;
        }

        foreach (var code in listing.Codes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPAddress.TryParse(code, out var ip) && list.Definition.Codes.TryGetValue(ip, out var meaning) && ComponentName(meaning.Meaning) is { } name)
            {
                return name;
            }
        }

        return list.Definition.Name;
    }

    /// <summary>"Spamhaus SBL: direct spam source…" → "Spamhaus SBL"; "Listed in the …" → null.</summary>
    internal static string? ComponentName(string meaning)
    {
        var colon = meaning.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var name = meaning[..colon];
        name = name.Split(',')[0];
        var paren = name.IndexOf(" (", StringComparison.Ordinal);
        if (paren > 0)
        {
            name = name[..paren];
        }

        name = name.Trim();
        return name.Length is > 0 and <= 40 && !name.StartsWith("Listed", StringComparison.OrdinalIgnoreCase) ? name : null;
    }

    private string ProviderName(string provider)
    {
        var name = registry.Find(provider)?.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            return provider;
        }

        var paren = name.IndexOf(" (", StringComparison.Ordinal);
        return paren > 0 ? name[..paren] : name;
    }

    private static IEnumerable<string> NextSteps(IncidentNextSteps next)
    {
        if (next.Remediation is { } r)
        {
            var where = r.Url is { Length: > 0 } url ? $" at {url}" : "";
            var email = r.Email is { Length: > 0 } address ? $", email {address}" : "";
            var turnaround = r.TurnaroundDays is { } days ? $"; typical answer within {days} day{(days == 1 ? "" : "s")}" : "";
            yield return $"{next.ProviderName ?? next.Provider}: by {r.Channel}{where}{email}{turnaround}.";
        }

        foreach (var list in next.Lists.Where(l => l.Known).Take(3))
        {
            var removal = list.DelistUrl is { Length: > 0 } delist ? $" removal: {delist}." : "";
            var procedure = list.DelistProcedure is { Length: > 0 } p ? $" {Cut(p, 400)}" : "";
            var expiry = list.AutoExpiry is { Length: > 0 } e && list.DelistUrl is null ? $" Expires by itself: {Cut(e, 200)}" : "";
            yield return $"{list.Name} ({list.Zone}):{removal}{procedure}{expiry}".Trim();
        }

        if (!next.Known)
        {
            yield return $"No remediation is known for {next.Provider}: read the evidence and the provider's postmaster pages.";
        }
    }

    /// <summary>
    /// The reply as the server sent it: most replies already start with their codes ("550 5.7.1 …"),
    /// so the stored codes are put in front only of one that does not.
    /// </summary>
    internal static string Reply(IncidentSample s)
    {
        var text = Cut(s.Response, 500).TrimStart();
        var codes = string.Join(' ', new[] { s.SmtpCode?.ToString(CultureInfo.InvariantCulture), s.EnhancedCode }.Where(c => !string.IsNullOrEmpty(c)));
        var code = s.SmtpCode?.ToString(CultureInfo.InvariantCulture);
        var startsWithCode = (code is not null && text.Length > code.Length && text.StartsWith(code, StringComparison.Ordinal) && text[code.Length] is ' ' or '-')
            || (s.EnhancedCode is { Length: > 0 } enhanced && text.StartsWith(enhanced, StringComparison.Ordinal));
        return codes.Length == 0 || startsWithCode ? text : $"{codes} {text}";
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
