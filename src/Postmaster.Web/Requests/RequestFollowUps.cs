using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Alerts;
using Postmaster.Core.Requests;
using Postmaster.Web.Alerts;
using Postmaster.Web.Audit;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Requests;

/// <summary>
/// A request whose follow-up time came: <see cref="AlertKind"/> is <c>reply-overdue</c> when the
/// provider was to answer and has not, else <c>follow-up-due</c> (PRODUCT.md's alert kinds).
/// </summary>
public sealed record DueRequest(long RequestId, long IncidentId, string Provider, RequestKind Kind, RequestChannel Channel, RequestStatus Status, DateTimeOffset FollowUpAt, string AlertKind);

/// <summary>
/// Finds the requests whose follow-up time came by their <c>FollowUpAt</c> column (not one timer per
/// request, so nothing is lost to a restart on the in-memory scheduler store), marks each announced
/// for that time, writes it on its incident's timeline and writes its alert (<c>follow-up-due</c> or
/// <c>reply-overdue</c>; none for auto-expiry or self-service) into the outbox in the same
/// transaction, so each due request alerts exactly once, across restarts and instances.
/// A new follow-up time (a person's, or the next submission) is announced again when it comes.
/// </summary>
public sealed class RequestFollowUps(
    PostmasterDbContext db, IncidentTurns turns, RequestJournal journal, AlertTrigger alerts, TimeProvider time, ILogger<RequestFollowUps> log)
{
    public const int PerPass = 500;

    public async Task<IReadOnlyList<DueRequest>> ScanAsync(CancellationToken ct)
    {
        var due = await turns.RunAsync(async token =>
        {
            var now = time.GetUtcNow();
            var rows = await db.Requests
                .Where(r => r.FollowUpAt != null && r.FollowUpAt <= now
                    && (r.Status == RequestStatus.Submitted || r.Status == RequestStatus.Replied)
                    && (r.FollowUpAnnouncedFor == null || r.FollowUpAnnouncedFor != r.FollowUpAt))
                .OrderBy(r => r.FollowUpAt).ThenBy(r => r.Id)
                .Take(PerPass)
                .ToListAsync(token);
            if (rows.Count == 0)
            {
                return (false, (IReadOnlyList<DueRequest>)[]);
            }

            var incidentIds = rows.Select(r => r.IncidentId).Distinct().ToList();
            var incidents = await db.Incidents.Where(i => incidentIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, token);
            var list = new List<DueRequest>();
            foreach (var request in rows)
            {
                var kind = RequestRules.DueKind(request.Status, request.Channel);
                request.FollowUpAnnouncedFor = request.FollowUpAt;
                journal.Record(request, incidents.GetValueOrDefault(request.IncidentId), kind, Describe(request, kind), AuditTrail.System, now);
                list.Add(new DueRequest(request.Id, request.IncidentId, request.Provider, request.Kind, request.Channel, request.Status, request.FollowUpAt!.Value, kind));
                var facts = new RequestAlertFacts(request.Id, request.IncidentId, request.Provider, request.Channel.ToApi(), request.SubmittedAt, request.FollowUpAt!.Value, request.Subject, request.To);
                _ = kind == AlertKinds.ReplyOverdue
                    ? await AlertOutbox.AddReplyOverdueAsync(db, facts, now, token)
                    : await AlertOutbox.AddFollowUpDueAsync(db, facts, now, token);
            }

            return (true, (IReadOnlyList<DueRequest>)list);
        }, ct);

        if (due.Count > 0)
        {
            log.LogInformation("{Count} request follow-ups fell due", due.Count);
            alerts.Poke();
        }

        return due;
    }

    private static string Describe(ProviderRequest request, string kind) => (kind, request.Channel) switch
    {
        (_, RequestChannel.AutoExpiry) => "the list's own expiry has come: check that the listing is gone (the next sweep says); if it is not, the listing was renewed.",
        ("reply-overdue", _) => $"no answer from {request.Provider} since {request.SubmittedAt?.UtcDateTime:yyyy-MM-dd HH:mm} UTC: time to follow up (one click on the request page).",
        _ => "time to follow up: the block is still there and the provider's last word is not in.",
    };
}

/// <summary>The follow-up scan, every <c>Postmaster:Requests:FollowUpScanSeconds</c>.</summary>
[Quartz.DisallowConcurrentExecution]
public sealed class RequestFollowUpJob(RequestFollowUps followUps) : Quartz.IJob
{
    public async ValueTask Execute(Quartz.IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await followUps.ScanAsync(cancellationToken);
}
