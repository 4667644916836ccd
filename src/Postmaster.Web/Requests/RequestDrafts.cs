using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Incidents;
using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Web.Audit;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Requests;

public enum RequestOutcomeKind
{
    Done,
    NotFound,
    Invalid,
    Conflict,
    Failed,
}

/// <summary>What a change to a request came to: the request as it is now, or why nothing changed.</summary>
public sealed record RequestResult(RequestOutcomeKind Outcome, ProviderRequest? Request = null, string? Problem = null)
{
    public static RequestResult NotFound(long id) => new(RequestOutcomeKind.NotFound, Problem: $"There is no request {id}; GET /api/requests lists them.");
}

/// <summary>
/// Drafts requests: from the template that fits an incident best (or the one a person chose), and
/// follow-ups in the thread of an earlier request. A draft moves an open incident to requested.
/// </summary>
public sealed class RequestDrafts(
    PostmasterDbContext db,
    RequestTemplateCatalog templates,
    ProviderRegistry providers,
    RequestModels models,
    IncidentTurns turns,
    IncidentChanges incidentChanges,
    RequestJournal journal,
    AuditTrail audit,
    TimeProvider time,
    ILogger<RequestDrafts> log)
{
    /// <summary>The templates for an incident, the best first; null when there is no such incident.</summary>
    public async Task<IReadOnlyList<TemplateFit>?> TemplatesAsync(long incidentId, CancellationToken ct) =>
        await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == incidentId, ct) is { } incident
            ? templates.For(await models.IncidentAsync(incident, ct))
            : null;

    public async Task<RequestResult> DraftAsync(long incidentId, string? templateId, string? fixedText, CancellationToken ct)
    {
        if (fixedText is { Length: > ProviderRequest.MaxFixed })
        {
            return new RequestResult(RequestOutcomeKind.Invalid, Problem: $"\"fixed\" has {fixedText.Length:N0} characters; it takes at most {ProviderRequest.MaxFixed:N0}.");
        }

        if (await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == incidentId, ct) is not { } incident)
        {
            return new RequestResult(RequestOutcomeKind.NotFound, Problem: $"There is no incident {incidentId}; GET /api/incidents lists them.");
        }

        if (!incident.State.IsActive())
        {
            return new RequestResult(RequestOutcomeKind.Conflict,
                Problem: $"Incident {incidentId} is {incident.State.ToApi()}: there is no block to ask about. A block that comes back reopens it.");
        }

        var model = await models.ForAsync(incident, fixedText, ct);
        RequestTemplate? template;
        if (string.IsNullOrWhiteSpace(templateId))
        {
            var fits = templates.For(model.Incident);
            template = fits.Count > 0 ? fits[0].Template : null;
            if (template is null)
            {
                return new RequestResult(RequestOutcomeKind.Conflict,
                    Problem: $"No request template fits {incident.Provider}, and there is no fallback (templates/providers/generic/requests/). Add one, or write to the provider by hand.");
            }
        }
        else if ((template = templates.Find(templateId)) is null)
        {
            var ids = templates.For(model.Incident).Select(f => f.Template.Id).ToList();
            return new RequestResult(RequestOutcomeKind.Invalid,
                Problem: $"There is no request template '{ColumnText.Fit(templateId.Trim(), 100)}'. For this incident: {(ids.Count == 0 ? "none" : string.Join(", ", ids))} (GET /api/incidents/{incidentId}/templates).");
        }

        RenderedRequest draft;
        try
        {
            draft = RequestRenderer.Render(template, model, providers.Packs.Select(p => p.Slug), ct: ct);
        }
        catch (RequestTemplateException e)
        {
            // Templates render the sample at start-up; an incident that still breaks one is a template bug to report, not a user error.
            log.LogError(e, "Template {Template} failed to render for incident {IncidentId}", template.Id, incidentId);
            return new RequestResult(RequestOutcomeKind.Failed, Problem: $"The template {template.Id} could not render this incident: {e.Message}");
        }

        var missing = model.Org.Missing(template.Needs);
        var request = new ProviderRequest
        {
            IncidentId = incident.Id,
            Provider = incident.Provider,
            TemplateId = template.Id,
            Kind = template.Kind,
            Channel = template.Channel,
            Language = template.Language,
            Status = RequestStatus.Draft,
            To = ColumnText.Fit(draft.To, ProviderRequest.MaxAddress),
            FormUrl = ColumnText.Fit(draft.FormUrl, ProviderRequest.MaxUrl),
            Subject = ColumnText.Fit(draft.Subject, ProviderRequest.MaxSubject),
            Body = ColumnText.Fit(draft.Body, ProviderRequest.MaxBody)!,
            Fields = draft.Fields,
            MissingFacts = string.Join(',', missing),
            Fixed = model.Fixed,
            FollowUpDays = template.FollowUpDays ?? providers.Find(incident.Provider)?.Remediation?.FollowUpDays ?? RequestRules.DefaultFollowUpDays,
            ExpiresAfterHours = template.ExpiresAfterHours,
        };
        var detail = $"drafted from {template.Id} ({template.Kind.ToApi()} by {template.Channel.ToApi()})"
            + (missing.Count > 0 ? $"; the organisation profile lacks {string.Join(", ", missing)}." : ".");
        return await CreateAsync(request, detail, ct);
    }

    /// <summary>
    /// A follow-up in the thread of <paramref name="parentId"/>: still occurring as of now, the
    /// newest rejections, what changed since. One click on the request page.
    /// </summary>
    public async Task<RequestResult> FollowUpAsync(long parentId, string? changed, CancellationToken ct)
    {
        if (await db.Requests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == parentId, ct) is not { } parent)
        {
            return RequestResult.NotFound(parentId);
        }

        if (parent.Status == RequestStatus.Draft)
        {
            return new RequestResult(RequestOutcomeKind.Conflict, Problem: $"Request {parentId} is still a draft: send it (or mark it submitted) before following it up.");
        }

        if (changed is { Length: > ProviderRequest.MaxFixed })
        {
            return new RequestResult(RequestOutcomeKind.Invalid, Problem: $"What changed has {changed.Length:N0} characters; it takes at most {ProviderRequest.MaxFixed:N0}.");
        }

        var incident = await db.Incidents.AsNoTracking().FirstAsync(i => i.Id == parent.IncidentId, ct);
        var model = await models.ForAsync(incident, changed, ct);
        var draft = FollowUpDraft.Compose(parent.Subject, parent.SubmittedAt, parent.Reference, model);
        var request = new ProviderRequest
        {
            IncidentId = parent.IncidentId,
            Provider = parent.Provider,
            TemplateId = parent.TemplateId,
            Kind = parent.Kind,
            Channel = parent.Channel,
            Language = parent.Language,
            Status = RequestStatus.Draft,
            To = parent.To,
            FormUrl = parent.FormUrl,
            Subject = ColumnText.Fit(draft.Subject, ProviderRequest.MaxSubject),
            Body = ColumnText.Fit(draft.Body, ProviderRequest.MaxBody)!,
            FieldsJson = parent.FieldsJson,
            Fixed = model.Fixed,
            FollowUpDays = parent.FollowUpDays,
            ExpiresAfterHours = parent.ExpiresAfterHours,
            Reference = parent.Reference,
            ParentRequestId = parent.Id,
            InReplyTo = parent.MessageId,
        };
        return await CreateAsync(request, $"follow-up of request #{parent.Id} drafted{(parent.MessageId is null ? "" : " in its mail thread")}.", ct);
    }

    private async Task<RequestResult> CreateAsync(ProviderRequest request, string detail, CancellationToken ct)
    {
        var actor = ColumnText.Fit(audit.CurrentActor(), 300)!;
        return await turns.RunAsync(async token =>
        {
            var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == request.IncidentId, token);
            if (incident is null)
            {
                return (false, new RequestResult(RequestOutcomeKind.NotFound, Problem: $"Incident {request.IncidentId} is gone."));
            }

            var now = time.GetUtcNow();
            (request.CreatedAt, request.UpdatedAt, request.CreatedBy) = (now, now, actor);
            db.Requests.Add(request);
            await db.SaveChangesAsync(token); // the id, for the lines that name it
            journal.Record(request, incident, "request-drafted", detail, actor, now, AuditActions.RequestDrafted);
            if (RequestRules.IncidentAfter(RequestStatus.Draft, incident.State, othersAwaitingReply: false) is { } next)
            {
                await incidentChanges.ApplyInTurnAsync(incident, new IncidentChange(State: next.ToApi()), actor, token);
            }

            return (true, new RequestResult(RequestOutcomeKind.Done, request));
        }, ct);
    }
}
