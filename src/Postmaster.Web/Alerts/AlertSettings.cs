using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Alerts;
using Postmaster.Core.Incidents;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Alerts;

/// <summary>The result of "send test alert": the alert and where it goes, or why it cannot go anywhere.</summary>
public sealed record TestAlertResult(long? AlertId, IReadOnlyList<AlertTarget> Targets, string? Problem);

/// <summary>
/// The global switches (Admin), each person's own subscription (every role), and the test alert.
/// Changes go on the audit trail.
/// </summary>
public sealed class AlertSettings(PostmasterDbContext db, AlertTargets targets, AlertTrigger trigger, AuditTrail audit, TimeProvider time)
{
    public async Task<HashSet<string>> OffAsync(CancellationToken ct) => await AlertOutbox.OffAsync(db, ct);

    /// <summary>Sets which kinds are on; returns the kinds whose switch changed.</summary>
    public async Task<IReadOnlyList<string>> SetKindsAsync(IReadOnlySet<string> on, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var actor = ColumnText.Fit(audit.CurrentActor(), 300);
        var rows = await db.AlertKindSettings.ToDictionaryAsync(s => s.Kind, ct);
        var changed = new List<string>();
        foreach (var kind in AlertKinds.All.Select(k => k.Name))
        {
            var enabled = on.Contains(kind);
            if (!rows.TryGetValue(kind, out var row))
            {
                if (enabled)
                {
                    continue; // no row is on
                }

                row = db.AlertKindSettings.Add(new AlertKindSetting { Kind = kind, Enabled = true }).Entity;
            }

            if (row.Enabled != enabled)
            {
                (row.Enabled, row.UpdatedAt, row.UpdatedBy) = (enabled, now, actor);
                changed.Add(enabled ? $"{kind} on" : $"{kind} off");
            }
        }

        if (changed.Count > 0)
        {
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync("alert-kinds-changed", "alert settings", string.Join(", ", changed), ct);
        }

        return changed;
    }

    public async Task<AlertSubscription> SubscriptionAsync(string userId, CancellationToken ct) =>
        await db.AlertSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.UserId == userId, ct)
        ?? new AlertSubscription { UserId = userId, Kinds = string.Join(',', AlertKinds.All.Select(k => k.Name)) };

    public async Task SaveSubscriptionAsync(string userId, bool email, IEnumerable<string> kinds, IEnumerable<string> providers, IncidentSeverity? minimum, CancellationToken ct)
    {
        var row = await db.AlertSubscriptions.FirstOrDefaultAsync(s => s.UserId == userId, ct);
        if (row is null)
        {
            row = db.AlertSubscriptions.Add(new AlertSubscription { UserId = userId }).Entity;
        }

        row.Email = email;
        row.Kinds = ColumnText.Fit(string.Join(',', kinds.Where(AlertKinds.IsKnown).Distinct(StringComparer.Ordinal)), 1000)!;
        row.Providers = ColumnText.Fit(string.Join(',', providers.Select(p => p.Trim().ToLowerInvariant()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal)), 2000)!;
        row.MinimumSeverity = minimum;
        row.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync("alert-subscription-changed", "own alert subscription", email ? $"email on: {row.Kinds}" : "email off", ct);
    }

    /// <summary>The email of who acts: the signed-in person, or the owner of the API key.</summary>
    public async Task<string> EmailOfAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        if (id.StartsWith("apikey:", StringComparison.Ordinal) && long.TryParse(id["apikey:".Length..], out var keyId))
        {
            var owner = await (from k in db.ApiKeys.AsNoTracking()
                               join u in db.Users.AsNoTracking() on k.OwnerId equals u.Id
                               where k.Id == keyId
                               select u.Email).FirstOrDefaultAsync(ct);
            return owner ?? "";
        }

        return user.Identity?.Name ?? "";
    }

    /// <summary>Writes a test alert (to the global recipients, <paramref name="adminEmail"/>, every webhook) and starts its delivery.</summary>
    public async Task<TestAlertResult> SendTestAsync(string adminEmail, CancellationToken ct)
    {
        if (!targets.AnyChannel)
        {
            return new TestAlertResult(null, [], "Nothing to send a test alert to: set Postmaster:Smtp:Host (alerts then go to Postmaster:Alerts:Recipients, "
                + "to people who switched alert mail on, and to you) or add Postmaster:Alerts:Webhooks, then restart.");
        }

        var alert = AlertOutbox.AddTest(db, adminEmail, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync("alert-test-sent", $"alert {alert.Id}", null, ct);
        trigger.Poke();
        return new TestAlertResult(alert.Id, await targets.ForAsync(alert, ct), null);
    }
}
