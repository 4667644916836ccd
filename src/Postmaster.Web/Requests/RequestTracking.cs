using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Incidents;
using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Web.Audit;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Requests;

/// <summary>
/// What a person may change on a request (PRODUCT.md, <c>PATCH /api/requests/{id}</c>), each field
/// optional: the status, the provider's reference, a note, when to follow up, the provider's reply.
/// </summary>
public sealed record RequestChange(string? Status = null, string? Reference = null, string? Note = null, DateTimeOffset? FollowUpAt = null, string? ReplyText = null);

/// <summary>
/// Tracks requests to their end: status changes (and the incident moves PRODUCT.md's table gives
/// them), references, notes, follow-up dates, replies pasted or read from the mailbox. Each change
/// is one incident turn with its history line, timeline line and audit entry.
/// </summary>
public sealed class RequestTracking(
    PostmasterDbContext db,
    IncidentTurns turns,
    IncidentChanges incidentChanges,
    RequestJournal journal,
    ProviderRegistry providers,
    AuditTrail audit,
    TimeProvider time,
    ILogger<RequestTracking> log)
{
    public const int MaxNote = 2000;

    /// <summary>How much of a reply the timeline quotes; the request keeps all of it.</summary>
    private const int Excerpt = 300;

    /// <param name="id">The request.</param>
    /// <param name="change">What changes.</param>
    /// <param name="actor">Who: the current request's user or key when null, <c>system</c> for the mailbox reader.</param>
    /// <param name="how">How it happened, for the history (<c>sent by email</c>, <c>reply read from the mailbox</c>).</param>
    /// <param name="replyFrom">The reply's sender, when read from the mailbox.</param>
    /// <param name="ct">Cancels the change.</param>
    public async Task<RequestResult> ChangeAsync(long id, RequestChange change, CancellationToken ct, string? actor = null, string? how = null, string? replyFrom = null)
    {
        if (Validate(change) is { } invalid)
        {
            return new RequestResult(RequestOutcomeKind.Invalid, Problem: invalid);
        }

        actor = ColumnText.Fit(actor ?? audit.CurrentActor(), 300)!;
        var result = await turns.RunAsync(async token =>
        {
            var request = await db.Requests.FirstOrDefaultAsync(r => r.Id == id, token);
            if (request is null)
            {
                return (false, RequestResult.NotFound(id));
            }

            var incident = await db.Incidents.FirstAsync(i => i.Id == request.IncidentId, token);
            var outcome = await ApplyAsync(request, incident, change, actor, how, replyFrom, token);
            return (outcome.Outcome == RequestOutcomeKind.Done, outcome);
        }, ct);

        if (result.Outcome == RequestOutcomeKind.Done)
        {
            log.LogInformation("Request {RequestId} changed by {Actor}", id, actor);
        }

        return result;
    }

    /// <summary>Saves a draft's text as a person edited it before sending (the request page).</summary>
    public async Task<RequestResult> EditDraftAsync(long id, string? to, string? subject, string? body, IReadOnlyDictionary<string, string>? fields, CancellationToken ct)
    {
        if ((to?.Length ?? 0) > ProviderRequest.MaxAddress || (subject?.Length ?? 0) > ProviderRequest.MaxSubject || (body?.Length ?? 0) > ProviderRequest.MaxBody)
        {
            return new RequestResult(RequestOutcomeKind.Invalid,
                Problem: $"Too long: the address takes {ProviderRequest.MaxAddress} characters, the subject {ProviderRequest.MaxSubject}, the body {ProviderRequest.MaxBody:N0}. Nothing was saved.");
        }

        var actor = ColumnText.Fit(audit.CurrentActor(), 300)!;
        return await turns.RunAsync(async token =>
        {
            var request = await db.Requests.FirstOrDefaultAsync(r => r.Id == id, token);
            if (request is null)
            {
                return (false, RequestResult.NotFound(id));
            }

            if (request.Status != RequestStatus.Draft)
            {
                return (false, new RequestResult(RequestOutcomeKind.Conflict, request, $"Request {id} is {request.Status.ToApi()}: what went out cannot be edited. Draft a follow-up instead."));
            }

            var edited = new List<string>();
            if (to is not null && to.Trim() != (request.To ?? ""))
            {
                (request.To, edited) = (to.Trim(), [.. edited, "to"]);
            }

            if (subject is not null && subject.Trim() != (request.Subject ?? ""))
            {
                (request.Subject, edited) = (subject.Trim(), [.. edited, "subject"]);
            }

            var normalised = body?.Replace("\r\n", "\n", StringComparison.Ordinal);
            if (normalised is not null && normalised != request.Body)
            {
                (request.Body, edited) = (normalised, [.. edited, "body"]);
            }

            if (fields is not null)
            {
                var current = request.Fields;
                var next = current.Select(f => fields.TryGetValue(f.Name, out var v) ? f with { Value = v.Length > 4000 ? v[..4000] : v } : f).ToList();
                if (!next.SequenceEqual(current))
                {
                    (request.Fields, edited) = (next, [.. edited, "fields"]);
                }
            }

            if (edited.Count == 0)
            {
                return (false, new RequestResult(RequestOutcomeKind.Done, request));
            }

            var now = time.GetUtcNow();
            request.UpdatedAt = now;
            journal.Record(request, null, "request-edited", $"draft edited ({string.Join(", ", edited)}).", actor, now);
            return (true, new RequestResult(RequestOutcomeKind.Done, request));
        }, ct);
    }

    private async Task<RequestResult> ApplyAsync(
        ProviderRequest request, Incident incident, RequestChange change, string actor, string? how, string? replyFrom, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var to = RequestNames.ParseStatus(change.Status);
        var reply = string.IsNullOrWhiteSpace(change.ReplyText) ? null : change.ReplyText.Trim();

        // A reply alone means the provider answered: a submitted request becomes replied.
        if (to is null && reply is not null && request.Pending)
        {
            to = RequestStatus.Replied;
        }

        if (reply is not null && request.Status == RequestStatus.Draft && to is not RequestStatus.Submitted)
        {
            return new RequestResult(RequestOutcomeKind.Conflict, request, $"Request {request.Id} is still a draft: nothing went out that could have been answered. Submit it first.");
        }

        if (to is { } target && RequestRules.Refuse(request.Status, target) is { } refused)
        {
            return new RequestResult(RequestOutcomeKind.Conflict, request, refused);
        }

        var lines = new List<(string Kind, string Detail, bool OnTimeline)>();
        var from = request.Status;
        if (to is { } status && (status != from || (status == RequestStatus.Replied && reply is not null)))
        {
            request.Status = status;
            switch (status)
            {
                case RequestStatus.Submitted:
                    request.SubmittedAt = now;
                    request.FollowUpAt = change.FollowUpAt?.ToUniversalTime()
                        ?? RequestRules.FollowUpAt(now, request.Channel, request.FollowUpDays, request.ExpiresAfterHours);
                    lines.Add(("request-submitted", Submitted(request, how), true));
                    break;
                case RequestStatus.Replied:
                    lines.Add(("request-replied", $"{(replyFrom is null ? "the provider replied" : $"{replyFrom} replied")}{(how is null ? "" : $" ({how})")}{Quote(reply)}", true));
                    break;
                case RequestStatus.Accepted:
                    request.DecidedAt = now;
                    lines.Add(("request-accepted", $"accepted{Quote(reply)}. The incident resolves when its checks come back clean (or mail is accepted again), not before.", true));
                    break;
                case RequestStatus.Denied:
                    request.DecidedAt = now;
                    lines.Add(("request-denied", $"denied{Quote(reply)}. Next: {NextStep(request)}", true));
                    break;
            }
        }

        if (reply is not null)
        {
            request.ReplyText = ColumnText.Fit(reply, ProviderRequest.MaxReply);
            request.ReplyFrom = ColumnText.Fit(replyFrom, ProviderRequest.MaxAddress);
            request.RepliedAt = now;
        }

        if (change.Reference is { } reference && reference.Trim() != (request.Reference ?? ""))
        {
            request.Reference = reference.Trim().Length == 0 ? null : reference.Trim();
            lines.Add(("request-reference", request.Reference is null ? "provider reference removed." : $"provider reference {request.Reference}.", true));
        }

        if (change.FollowUpAt is { } followUp && to != RequestStatus.Submitted && followUp.ToUniversalTime() != request.FollowUpAt)
        {
            request.FollowUpAt = followUp.ToUniversalTime();
            lines.Add(("request-follow-up", $"follow up on {request.FollowUpAt.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC.", true));
        }

        if (!string.IsNullOrWhiteSpace(change.Note))
        {
            lines.Add(("request-note", change.Note.Trim(), true));
        }

        if (lines.Count == 0)
        {
            return new RequestResult(RequestOutcomeKind.Done, request);
        }

        request.UpdatedAt = now;
        foreach (var (kind, detail, onTimeline) in lines)
        {
            journal.Record(request, onTimeline ? incident : null, kind, detail, actor,
                now, kind == "request-submitted" && how is not null ? AuditActions.RequestSent : AuditActions.RequestChanged);
        }

        if (to is { } moved && moved != from)
        {
            var others = await db.Requests.AnyAsync(r => r.IncidentId == incident.Id && r.Id != request.Id
                && (r.Status == RequestStatus.Submitted || r.Status == RequestStatus.Replied), ct);
            if (RequestRules.IncidentAfter(moved, incident.State, others) is { } next)
            {
                await incidentChanges.ApplyInTurnAsync(incident, new IncidentChange(State: next.ToApi()), actor, ct);
            }
        }

        return new RequestResult(RequestOutcomeKind.Done, request);
    }

    private static string Submitted(ProviderRequest request, string? how)
    {
        var what = how ?? request.Channel switch
        {
            RequestChannel.AutoExpiry => "the wait for the list's own expiry confirmed",
            RequestChannel.SelfService => "the self-service removal done",
            _ => "marked submitted",
        };
        var when = request.Channel == RequestChannel.AutoExpiry ? "check again at the expiry" : "follow up";
        return $"{what}; {when} on {request.FollowUpAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC.";
    }

    private string NextStep(ProviderRequest request)
    {
        var notes = providers.Find(request.Provider)?.Remediation?.Notes;
        var hint = string.IsNullOrWhiteSpace(notes) ? "" : $" What {request.Provider} asks for: {ColumnText.Fit(notes, 400)}";
        return $"read the reply, fix what it names (check the posture and the organisation profile), then draft a new request or a follow-up.{hint}";
    }

    private static string Quote(string? reply) =>
        reply is null ? "" : $": \"{ColumnText.Fit(string.Join(' ', reply.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), Excerpt)}\"";

    private static string? Validate(RequestChange change)
    {
        if (change is { Status: null, Reference: null, Note: null, FollowUpAt: null, ReplyText: null })
        {
            return "Nothing to change: send one or more of status, reference, note, followUpAt and replyText.";
        }

        if (change.Status is { } status && RequestNames.ParseStatus(status) is null)
        {
            return $"status '{ColumnText.Fit(status, 40)}' is not one of {RequestNames.StatusNames}.";
        }

        if (change.Status is { } draft && RequestNames.ParseStatus(draft) == RequestStatus.Draft)
        {
            return "A request is a draft only until it is submitted; status takes submitted, replied, accepted or denied.";
        }

        if (change.Note is { Length: > MaxNote })
        {
            return $"The note has {change.Note.Length:N0} characters; a note takes at most {MaxNote:N0}. Nothing was changed.";
        }

        if (change.Reference is { Length: > 300 })
        {
            return "reference takes at most 300 characters (the provider's ticket or case number).";
        }

        if (change.ReplyText is { Length: > ProviderRequest.MaxReply })
        {
            return $"replyText has {change.ReplyText.Length:N0} characters; a reply takes at most {ProviderRequest.MaxReply:N0}.";
        }

        if (change.FollowUpAt is { Year: < 2000 or > 2999 })
        {
            return "followUpAt must be an ISO 8601 time such as 2026-12-10T09:00:00Z.";
        }

        return null;
    }
}
