using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Alerts;
using Postmaster.Core.Incidents;
using Postmaster.Web.Alerts;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>
/// What a person may change on an incident (PRODUCT.md, <c>PATCH /api/incidents/{id}</c>): each
/// field optional. <see cref="Assignee"/> "" unassigns; <see cref="Severity"/> <c>auto</c> gives
/// severity back to the rules.
/// </summary>
public sealed record IncidentChange(string? State = null, string? Assignee = null, string? Severity = null, string? Note = null);

public enum IncidentChangeOutcome
{
    Changed,
    NotFound,
    Invalid,
    Conflict,
}

public sealed record IncidentChangeResult(IncidentChangeOutcome Outcome, Incident? Incident = null, string? Problem = null);

/// <summary>
/// Applies a person's change in an incident turn (never over the engine's), with a timeline line
/// per change, actor named, and an audit entry. Bad input changes nothing and says why.
/// </summary>
public sealed class IncidentChanges(PostmasterDbContext db, IncidentTurns turns, AuditTrail audit, AlertTrigger alerts, TimeProvider time, ILogger<IncidentChanges> log)
{
    public const int MaxNoteLength = IncidentTimelineEntry.MaxDetailLength;

    public async Task<IncidentChangeResult> ChangeAsync(long id, IncidentChange change, CancellationToken ct)
    {
        if (Validate(change) is { } invalid)
        {
            return new IncidentChangeResult(IncidentChangeOutcome.Invalid, Problem: invalid);
        }

        var actor = ColumnText.Fit(audit.CurrentActor(), 300)!;
        var result = await turns.RunAsync(async token =>
        {
            var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, token);
            if (incident is null)
            {
                return (false, new IncidentChangeResult(IncidentChangeOutcome.NotFound, Problem: $"There is no incident {id}."));
            }

            var outcome = await ApplyInTurnAsync(incident, change, actor, token);
            if (outcome.Outcome != IncidentChangeOutcome.Changed)
            {
                return (false, outcome);
            }

            if (incident.ActiveMarker == 1
                && await db.Incidents.AnyAsync(i => i.Id != incident.Id && i.Provider == incident.Provider && i.GroupKey == incident.GroupKey && i.ActiveMarker == 1, token))
            {
                return (false, new IncidentChangeResult(IncidentChangeOutcome.Conflict,
                    Problem: $"Another incident for {incident.Provider} and {incident.GroupValue} is active: work on that one instead."));
            }

            return (true, outcome);
        }, ct);

        if (result.Outcome == IncidentChangeOutcome.Changed)
        {
            log.LogInformation("Incident {IncidentId} changed by {Actor}", id, actor);
            alerts.Poke();
        }

        return result;
    }

    /// <summary>
    /// Applies a change to an incident the caller loaded inside its own incident turn (a request
    /// moving its incident does so in the turn that changes the request): the same rules, timeline
    /// lines and audit entries as a person's change. The caller saves and commits.
    /// </summary>
    internal async Task<IncidentChangeResult> ApplyInTurnAsync(Incident incident, IncidentChange change, string actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var lines = new List<(string Kind, string Detail)>();
        var raised = new List<(Incident Incident, string Kind, string Detail)>();
        if (change.State is { } stateText)
        {
            var to = IncidentNames.ParseState(stateText)!.Value;
            var changed = IncidentRules.Change(incident.Facts(), to, now);
            if (changed.Refused is { } refused)
            {
                return new IncidentChangeResult(IncidentChangeOutcome.Conflict, Problem: refused);
            }

            if (changed.Next is { } next)
            {
                lines.Add(("state", $"State {incident.State.ToApi()} → {to.ToApi()}."));
                if (!incident.State.IsActive() && to.IsActive())
                {
                    raised.Add((incident, AlertKinds.IncidentReopened, $"Reopened by {actor}: state {incident.State.ToApi()} → {to.ToApi()}."));
                }

                incident.Apply(next);
            }
        }

        if (change.Assignee is { } assignee)
        {
            var email = assignee.Trim();
            if (email.Length > 0)
            {
                var normalized = email.ToUpperInvariant();
                var user = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => u.Email).FirstOrDefaultAsync(ct);
                if (user is null)
                {
                    return new IncidentChangeResult(IncidentChangeOutcome.Invalid,
                        Problem: $"No user has the email '{ColumnText.Fit(email, 100)}': assign the incident to a user of this installation (Settings → Users).");
                }

                email = user;
            }

            var next = email.Length == 0 ? null : email;
            if (next != incident.Assignee)
            {
                lines.Add(("assigned", next is null ? $"Unassigned (was {incident.Assignee})." : $"Assigned to {next}."));
                incident.Assignee = next;
            }
        }

        if (change.Severity is { } severityText)
        {
            if (severityText.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                if (incident.SeverityPinned)
                {
                    incident.SeverityPinned = false;
                    lines.Add(("severity", "Severity back to the rules; the next check or batch sets it."));
                }
            }
            else
            {
                var severity = IncidentNames.ParseSeverity(severityText)!.Value;
                if (severity != incident.Severity || !incident.SeverityPinned)
                {
                    lines.Add(("severity", $"Severity {incident.Severity.ToApi()} → {severity.ToApi()}, set by hand."));
                    if (severity > incident.Severity && incident.State.IsActive())
                    {
                        raised.Add((incident, AlertKinds.IncidentSeverityRaised, $"Severity {incident.Severity.ToApi()} → {severity.ToApi()}, raised by {actor}."));
                    }

                    (incident.Severity, incident.SeverityPinned) = (severity, true);
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(change.Note))
        {
            lines.Add(("note", change.Note.Trim()));
        }

        foreach (var (kind, detail) in lines)
        {
            db.IncidentTimeline.Add(new IncidentTimelineEntry
            {
                IncidentId = incident.Id,
                At = now,
                Kind = kind,
                Actor = actor,
                Detail = ColumnText.Fit(detail, IncidentTimelineEntry.MaxDetailLength)!,
            });
            db.AuditEntries.Add(new AuditEntry
            {
                At = now,
                Actor = actor,
                Action = AuditActions.IncidentChanged,
                Target = $"incident {incident.Id}",
                Detail = ColumnText.Fit($"{kind}: {detail}", AuditEntry.MaxDetailLength),
            });
        }

        if (lines.Count > 0)
        {
            incident.LastActivityAt = now;
        }

        // Written with the change, in its turn: committed together or not at all.
        await AlertOutbox.AddIncidentChangesAsync(db, raised, now, ct);

        return new IncidentChangeResult(IncidentChangeOutcome.Changed, incident);
    }

    private static string? Validate(IncidentChange change)
    {
        if (change is { State: null, Assignee: null, Severity: null, Note: null })
        {
            return "Nothing to change: send one or more of state, assignee, severity and note.";
        }

        if (change.State is { } state && IncidentNames.ParseState(state) is null)
        {
            return $"state '{ColumnText.Fit(state, 40)}' is not one of {IncidentNames.StateNames}.";
        }

        if (change.Severity is { } severity && IncidentNames.ParseSeverity(severity) is null && !severity.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return $"severity '{ColumnText.Fit(severity, 40)}' is not one of {IncidentNames.SeverityNames}, or auto.";
        }

        if (change.Note is { Length: > MaxNoteLength })
        {
            return $"The note has {change.Note.Length:N0} characters; a note takes at most {MaxNoteLength:N0}. Nothing was changed.";
        }

        if (change.Assignee is { Length: > 256 })
        {
            return "assignee is a user's email (at most 256 characters).";
        }

        return null;
    }
}
