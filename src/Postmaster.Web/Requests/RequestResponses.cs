using Postmaster.Core.Requests;

namespace Postmaster.Web.Requests;

/// <summary>A template that may serve an incident (<c>GET /api/incidents/{id}/templates</c>), the best first.</summary>
public sealed record TemplateResponse(string Id, RequestKind Kind, RequestChannel Channel, string Title)
{
    public static TemplateResponse From(TemplateFit fit) => new(fit.Template.Id, fit.Template.Kind, fit.Template.Channel, fit.Template.Title);
}

/// <summary>
/// A request (PRODUCT.md, Request): where it goes (<c>to</c> for email, <c>formUrl</c> for a form),
/// what it says (<c>subject</c>, <c>body</c>, the form's <c>fields</c> in order), the organisation
/// facts its provider asks for that the profile lacked (<c>missingFacts</c>), and how it is going.
/// </summary>
public sealed record RequestResponse(
    long Id,
    long IncidentId,
    string Provider,
    string Template,
    RequestKind Kind,
    RequestChannel Channel,
    string Language,
    RequestStatus Status,
    string? To,
    string? FormUrl,
    string? Subject,
    string Body,
    IReadOnlyList<RenderedField> Fields,
    IReadOnlyList<string> MissingFacts,
    string Fixed,
    string? Reference,
    DateTimeOffset? FollowUpAt,
    bool FollowUpDue,
    string? ReplyText,
    string? ReplyFrom,
    DateTimeOffset? RepliedAt,
    string? MessageId,
    long? ParentId,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? DecidedAt,
    IReadOnlyList<RequestHistoryResponse>? History)
{
    public static RequestResponse From(ProviderRequest r, DateTimeOffset now, IReadOnlyList<RequestEvent>? history = null) => new(
        r.Id, r.IncidentId, r.Provider, r.TemplateId, r.Kind, r.Channel, r.Language, r.Status, r.To, r.FormUrl, r.Subject, r.Body,
        r.Fields, r.MissingFactList(), r.Fixed, r.Reference, r.FollowUpAt, r.Pending && r.FollowUpAt <= now,
        r.ReplyText, r.ReplyFrom, r.RepliedAt, r.MessageId, r.ParentRequestId, r.CreatedAt, r.CreatedBy, r.SubmittedAt, r.DecidedAt,
        history?.Select(RequestHistoryResponse.From).ToList());
}

/// <summary>One line of a request's history: <c>actor</c> is <c>system</c>, <c>user:&lt;email&gt;</c> or <c>key:&lt;name&gt;</c>.</summary>
public sealed record RequestHistoryResponse(DateTimeOffset At, string Kind, string Actor, string Detail)
{
    public static RequestHistoryResponse From(RequestEvent e) => new(e.At, e.Kind, e.Actor, e.Detail);
}

/// <summary>What <c>POST /api/incidents/{id}/requests</c> takes, all optional: a template id (else the best fit) and what was fixed.</summary>
public sealed record DraftRequestBody(string? Template = null, string? Fixed = null);
