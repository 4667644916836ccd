using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Alerts;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Alerts;

/// <summary>
/// What a request's follow-up job hands over for <c>follow-up-due</c> and <c>reply-overdue</c>.
/// <paramref name="Channel"/> as PRODUCT.md spells it: auto-expiry and self-service requests never alert.
/// <paramref name="DueAt"/>: the follow-up date (follow-up-due) or when the reply was expected (reply-overdue).
/// </summary>
public sealed record RequestAlertFacts(
    long RequestId, long IncidentId, string Provider, string Channel, DateTimeOffset? SubmittedAt, DateTimeOffset DueAt, string? Subject = null, string? To = null);

/// <summary>
/// Writes alerts into the outbox on the caller's context, so they commit (or roll back) with the
/// change that caused them: call these inside the transaction that makes the change, before its
/// <c>SaveChanges</c>. A kind an admin switched off writes nothing. Delivery happens later
/// (<see cref="AlertDispatcher"/>); poke <see cref="AlertTrigger"/> after the commit for it to start at once.
/// </summary>
public static class AlertOutbox
{
    /// <summary>The same list or sweep trouble alerts again only after this long (a flapping list does not page every half hour).</summary>
    public static readonly TimeSpan RepeatAfter = TimeSpan.FromHours(24);

    /// <summary>The incident changes the engine or a person decided on; returns how many alerts were written.</summary>
    public static async Task<int> AddIncidentChangesAsync(
        PostmasterDbContext db, IReadOnlyCollection<(Incident Incident, string Kind, string Detail)> changes, DateTimeOffset at, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return 0;
        }

        var off = await OffAsync(db, ct);
        var written = 0;
        foreach (var (incident, kind, detail) in changes)
        {
            if (off.Contains(kind))
            {
                continue;
            }

            db.Alerts.Add(new Alert
            {
                Kind = kind,
                At = at,
                IncidentId = incident.Id,
                Provider = incident.Provider,
                Severity = incident.Severity,
                Summary = ColumnText.Fit($"{incident.Provider} / {incident.GroupValue}: {Said(kind)} (incident #{incident.Id})", Alert.MaxSummaryLength)!,
                Detail = ColumnText.Fit(detail, Alert.MaxDetailLength)!,
                Values = ColumnText.Fit(incident.GroupValue, Alert.MaxValuesLength)!,
                ValueCount = incident.AffectedCount,
                Link = $"/incidents/{incident.Id}",
                SubjectKey = $"incident:{incident.Id}",
            });
            written++;
        }

        return written;
    }

    /// <summary>
    /// A list's health turned bad (quarantined, or refusing our resolver). Once per list and kind per
    /// <see cref="RepeatAfter"/>. Returns whether an alert was written.
    /// </summary>
    public static async Task<bool> AddListHealthAsync(PostmasterDbContext db, Blocklist list, ListHealth health, DateTimeOffset at, CancellationToken ct)
    {
        var kind = health.State switch
        {
            ListHealthState.Quarantined => AlertKinds.ListQuarantined,
            ListHealthState.ResolverRefused => AlertKinds.ResolverRefused,
            _ => null,
        };
        var subject = $"list:{list.Id}";
        if (kind is null || !await OnAsync(db, kind, ct) || await RecentlyAsync(db, kind, subject, at, ct))
        {
            return false;
        }

        var provider = Provider(list);
        db.Alerts.Add(new Alert
        {
            Kind = kind,
            At = at,
            Provider = provider,
            Summary = ColumnText.Fit(kind == AlertKinds.ResolverRefused
                ? $"{list.Name} refuses our resolver: its listings are unchecked"
                : $"{list.Name} quarantined: its answers are not trusted", Alert.MaxSummaryLength)!,
            Detail = ColumnText.Fit(
                $"{health.Detail} Until it passes its test points again, whatever it covers is unchecked (unknown), never clean.", Alert.MaxDetailLength)!,
            Values = ColumnText.Fit(list.Zone, Alert.MaxValuesLength)!,
            ValueCount = 1,
            Link = "/Blocklists",
            SubjectKey = subject,
        });
        return true;
    }

    /// <summary>
    /// A sweep ended failed (checked nothing, or broke off). The first failure after a sweep that
    /// completed alerts, and then once per <see cref="RepeatAfter"/> while sweeps keep failing.
    /// </summary>
    public static async Task<bool> AddSweepFailedAsync(PostmasterDbContext db, long runId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        const string subject = "sweeps";
        if (!await OnAsync(db, AlertKinds.SweepFailed, ct))
        {
            return false;
        }

        var lastAlert = await db.Alerts.AsNoTracking()
            .Where(a => a.Kind == AlertKinds.SweepFailed && a.SubjectKey == subject)
            .OrderByDescending(a => a.Id).Select(a => (DateTimeOffset?)a.At).FirstOrDefaultAsync(ct);
        if (lastAlert is { } last && at - last < RepeatAfter)
        {
            var completedSince = await db.SweepRuns.AsNoTracking().AnyAsync(r => r.State == SweepState.Completed && r.FinishedAt > last, ct);
            if (!completedSince)
            {
                return false; // still the same trouble, already told
            }
        }

        db.Alerts.Add(new Alert
        {
            Kind = AlertKinds.SweepFailed,
            At = at,
            Summary = ColumnText.Fit($"Sweep #{runId} failed: {FirstLine(reason)}", Alert.MaxSummaryLength)!,
            Detail = ColumnText.Fit($"{reason} Until a sweep completes, listings are not checked and no incident can resolve.", Alert.MaxDetailLength)!,
            Link = $"/Blocklists/Sweep?id={runId}",
            SubjectKey = subject,
        });
        return true;
    }

    /// <summary>
    /// For the request follow-up job: a request's follow-up date has come. Call it in the transaction
    /// that records that this follow-up was alerted, so it alerts once. Returns false (and writes
    /// nothing) when the kind is switched off or the request is auto-expiry or self-service.
    /// </summary>
    public static Task<bool> AddFollowUpDueAsync(PostmasterDbContext db, RequestAlertFacts request, DateTimeOffset at, CancellationToken ct) =>
        AddRequestAsync(db, AlertKinds.FollowUpDue, request, at, ct);

    /// <summary>For the request follow-up job: the provider has not replied in time. As <see cref="AddFollowUpDueAsync"/>.</summary>
    public static Task<bool> AddReplyOverdueAsync(PostmasterDbContext db, RequestAlertFacts request, DateTimeOffset at, CancellationToken ct) =>
        AddRequestAsync(db, AlertKinds.ReplyOverdue, request, at, ct);

    private static async Task<bool> AddRequestAsync(PostmasterDbContext db, string kind, RequestAlertFacts request, DateTimeOffset at, CancellationToken ct)
    {
        if (request.Channel.Trim().ToLowerInvariant() is "auto-expiry" or "self-service" || !await OnAsync(db, kind, ct))
        {
            return false;
        }

        var incident = await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == request.IncidentId, ct);
        var group = incident?.GroupValue ?? "";
        var due = request.DueAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var sent = request.SubmittedAt?.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var (summary, detail) = kind == AlertKinds.FollowUpDue
            ? ($"Follow up request #{request.RequestId} to {request.Provider} (incident #{request.IncidentId}, {group}): due {due}",
                $"The follow-up date of request #{request.RequestId}{Sent(sent, request.To)} is {due}: chase the provider on the same channel ({request.Channel}), quoting the request.")
            : ($"No reply from {request.Provider} to request #{request.RequestId} (incident #{request.IncidentId}, {group}) since {sent ?? due}",
                $"Request #{request.RequestId}{Sent(sent, request.To)} has had no reply by {due}, longer than {request.Provider} usually takes: write again, or try another channel.");
        if (request.Subject is { Length: > 0 } subject)
        {
            detail += $" Subject: {subject}";
        }

        db.Alerts.Add(new Alert
        {
            Kind = kind,
            At = at,
            IncidentId = request.IncidentId,
            Provider = request.Provider,
            Severity = incident?.Severity,
            Summary = ColumnText.Fit(summary, Alert.MaxSummaryLength)!,
            Detail = ColumnText.Fit(detail, Alert.MaxDetailLength)!,
            Values = ColumnText.Fit(group, Alert.MaxValuesLength)!,
            ValueCount = incident?.AffectedCount ?? 0,
            Link = $"/incidents/{request.IncidentId}",
            SubjectKey = $"request:{request.RequestId}",
        });
        return true;
    }

    /// <summary>IPs of one provider that turned to high quiet-IP risk in one check: one alert, however many.</summary>
    internal static async Task<bool> AddQuietIpsAsync(PostmasterDbContext db, string provider, string providerName, IReadOnlyList<string> ips, string reason, DateTimeOffset at, CancellationToken ct)
    {
        if (ips.Count == 0 || !await OnAsync(db, AlertKinds.QuietIpHigh, ct))
        {
            return false;
        }

        var who = ips.Count == 1 ? ips[0] : $"{ips.Count:N0} sending IPs";
        db.Alerts.Add(new Alert
        {
            Kind = AlertKinds.QuietIpHigh,
            At = at,
            Provider = provider,
            Summary = ColumnText.Fit($"{who} quiet too long at {providerName}: reputation at high risk", Alert.MaxSummaryLength)!,
            Detail = ColumnText.Fit(reason, Alert.MaxDetailLength)!,
            Values = Lines(ips),
            ValueCount = ips.Count,
            Link = "/Signals",
            SubjectKey = $"quiet:{provider}",
        });
        return true;
    }

    /// <summary>"Send test alert": to the global recipients, the admin who asked, and every webhook; never switched off or stacked.</summary>
    internal static Alert AddTest(PostmasterDbContext db, string requestedBy, DateTimeOffset at)
    {
        var alert = new Alert
        {
            Kind = AlertKinds.Test,
            At = at,
            Summary = "Test alert from Postmaster",
            Detail = $"{requestedBy} sent this from Settings → Alerts to check that alert mail and webhooks arrive. Nothing needs doing.",
            Link = "/Settings/Alerts",
            RequestedBy = ColumnText.Fit(requestedBy, 256),
        };
        db.Alerts.Add(alert);
        return alert;
    }

    /// <summary>The kinds an admin switched off.</summary>
    public static async Task<HashSet<string>> OffAsync(PostmasterDbContext db, CancellationToken ct) =>
        (await db.AlertKindSettings.AsNoTracking().Where(s => !s.Enabled).Select(s => s.Kind).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

    private static async Task<bool> OnAsync(PostmasterDbContext db, string kind, CancellationToken ct) =>
        !await db.AlertKindSettings.AsNoTracking().AnyAsync(s => s.Kind == kind && !s.Enabled, ct);

    private static Task<bool> RecentlyAsync(PostmasterDbContext db, string kind, string subject, DateTimeOffset at, CancellationToken ct)
    {
        var since = at - RepeatAfter;
        return db.Alerts.AsNoTracking().AnyAsync(a => a.Kind == kind && a.SubjectKey == subject && a.At > since, ct);
    }

    private static string Said(string kind) => kind switch
    {
        AlertKinds.IncidentOpened => "opened",
        AlertKinds.IncidentReopened => "reopened",
        AlertKinds.IncidentResolved => "resolved",
        AlertKinds.IncidentSeverityRaised => "severity raised",
        _ => kind,
    };

    private static string Sent(string? sent, string? to) =>
        (sent, to) switch
        {
            (not null, { Length: > 0 }) => $" (sent {sent} to {to})",
            (not null, _) => $" (sent {sent})",
            _ => "",
        };

    private static string Provider(Blocklist list)
    {
        try
        {
            var definition = list.Definition();
            return definition.Provider.Length > 0 ? definition.Provider : definition.Slug;
        }
        catch (CatalogException)
        {
            return list.Slug;
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length <= 160 ? line : line[..159] + "…";
    }

    internal static string Lines(IEnumerable<string> values)
    {
        var kept = new List<string>();
        var length = 0;
        foreach (var value in values.Take(100))
        {
            if (length + value.Length + 1 > Alert.MaxValuesLength)
            {
                break;
            }

            kept.Add(value);
            length += value.Length + 1;
        }

        return string.Join('\n', kept);
    }
}
