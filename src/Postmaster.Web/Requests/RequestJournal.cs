using Postmaster.Web.Audit;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Requests;

/// <summary>
/// Writes one change of a request three times, in the caller's transaction: in the request's own
/// history, on its incident's timeline, and in the audit trail (PRODUCT.md: every change on the
/// incident timeline and in the audit trail).
/// </summary>
public sealed class RequestJournal(PostmasterDbContext db)
{
    public void Record(ProviderRequest request, Incident? incident, string kind, string detail, string actor, DateTimeOffset at, string auditAction = AuditActions.RequestChanged)
    {
        var text = ColumnText.Fit(detail, RequestEvent.MaxDetailLength)!;
        db.RequestEvents.Add(new RequestEvent { RequestId = request.Id, At = at, Kind = kind, Actor = actor, Detail = text });
        if (incident is not null)
        {
            db.IncidentTimeline.Add(new IncidentTimelineEntry
            {
                IncidentId = incident.Id,
                At = at,
                Kind = kind,
                Actor = actor,
                Detail = ColumnText.Fit($"Request #{request.Id}: {detail}", IncidentTimelineEntry.MaxDetailLength)!,
            });
            incident.LastActivityAt = at;
        }

        db.AuditEntries.Add(new AuditEntry
        {
            At = at,
            Actor = actor,
            Action = auditAction,
            Target = $"request {request.Id}",
            Detail = ColumnText.Fit($"{kind}: {detail}", AuditEntry.MaxDetailLength),
        });
    }
}
