using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Incidents;
using Postmaster.Core.Providers;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Requests;

namespace Postmaster.Web.Incidents;

/// <summary>
/// One incident: what is blocked and since when, its values, evidence and timeline, what to do
/// next, and for responders the form that changes it. Also routed as <c>/incidents/{id}</c>.
/// </summary>
public sealed class DetailsModel(
    IncidentQueries queries,
    IncidentChanges changes,
    PostmasterDbContext db,
    ProviderRegistry providers,
    RequestDrafts drafts,
    RequestQueries requests,
    IAuthorizationService authorization) : PageModel
{
    public const string AutoSeverity = "auto";

    /// <summary>Where the affected values table starts (each table pages on its own).</summary>
    [BindProperty(SupportsGet = true, Name = "values")]
    public string? ValuesCursor { get; set; }

    [BindProperty(SupportsGet = true, Name = "timeline")]
    public string? TimelineCursor { get; set; }

    /// <summary>Said once after a change was saved (the change redirects back here).</summary>
    [TempData]
    public string? Saved { get; set; }

    public Incident Incident { get; private set; } = null!;

    public IReadOnlyList<IncidentValue> Affected { get; private set; } = [];

    public Pager AffectedPager { get; private set; } = null!;

    public IReadOnlyList<IncidentSample> Samples { get; private set; } = [];

    public IReadOnlyList<IncidentTimelineEntry> Timeline { get; private set; } = [];

    public Pager TimelinePager { get; private set; } = null!;

    public IncidentNextSteps NextSteps { get; private set; } = null!;

    /// <summary>The request templates for this incident, the best first (responders draft from them).</summary>
    public IReadOnlyList<Core.Requests.TemplateFit> Templates { get; private set; } = [];

    /// <summary>What requests to this provider came to, per kind: shown beside each template.</summary>
    public IReadOnlyList<Core.Requests.RequestOutcome> Outcomes { get; private set; } = [];

    /// <summary>The incident's requests, newest first.</summary>
    public IReadOnlyList<ProviderRequest> IncidentRequests { get; private set; } = [];

    public string? FormFixed { get; private set; }

    /// <summary>Why the last draft was refused.</summary>
    public string? DraftProblem { get; private set; }

    public IReadOnlyList<string> Users { get; private set; } = [];

    /// <summary>May change the incident (responders and admins, PRODUCT.md role table).</summary>
    public bool CanEdit { get; private set; }

    /// <summary>Why the last change was refused, as <see cref="IncidentChanges"/> said it.</summary>
    public string? Problem { get; private set; }

    public string FormState { get; private set; } = "";

    public string FormAssignee { get; private set; } = "";

    public string FormSeverity { get; private set; } = AutoSeverity;

    public string? FormNote { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostChangeAsync(long id, string? state, string? assignee, string? severity, string? note, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        if (await queries.FindAsync(id, ct) is not { } incident)
        {
            return NotFound();
        }

        // The form sends every field; only what differs from the incident is a change, so a note
        // alone does not also "set" the state it already has.
        var change = new IncidentChange(
            State: state is null || IncidentNames.ParseState(state) == incident.State ? null : state,
            Assignee: assignee is null || string.Equals(assignee.Trim(), incident.Assignee ?? "", StringComparison.OrdinalIgnoreCase) ? null : assignee,
            Severity: severity is null || string.Equals(SeverityChoice(incident), severity.Trim(), StringComparison.OrdinalIgnoreCase) ? null : severity,
            Note: string.IsNullOrWhiteSpace(note) ? null : note);

        var result = change is { State: null, Assignee: null, Severity: null, Note: null }
            ? new IncidentChangeResult(IncidentChangeOutcome.Invalid, Problem: "Nothing to change: pick another state, assignee or severity, or write a note.")
            : await changes.ChangeAsync(id, change, ct);
        if (result.Outcome == IncidentChangeOutcome.Changed)
        {
            Saved = "Saved: the change is on the timeline.";
            return Redirect($"/incidents/{id}");
        }

        if (result.Outcome == IncidentChangeOutcome.NotFound)
        {
            return NotFound();
        }

        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        // Give back what was typed and chosen, so a refused change loses nothing.
        Problem = result.Problem;
        (FormState, FormAssignee, FormSeverity, FormNote) = (state ?? FormState, assignee ?? FormAssignee, severity ?? FormSeverity, note);
        return Page();
    }

    /// <summary>Drafts a request from the chosen template (or the best fit) and opens it.</summary>
    public async Task<IActionResult> OnPostDraftAsync(long id, string? template, string? fixedText, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        var result = await drafts.DraftAsync(id, template, fixedText, ct);
        if (result.Outcome == RequestOutcomeKind.Done)
        {
            return Redirect($"/requests/{result.Request!.Id}");
        }

        if (result.Outcome == RequestOutcomeKind.NotFound || !await LoadAsync(id, ct))
        {
            return NotFound();
        }

        (DraftProblem, FormFixed) = (result.Problem, fixedText);
        return Page();
    }

    /// <summary>The severity select's value for an incident: its severity when set by hand, else "auto".</summary>
    public static string SeverityChoice(Incident incident) => incident.SeverityPinned ? incident.Severity.ToApi() : AutoSeverity;

    /// <summary>Who did it, as a person reads it: the timeline stores <c>system</c>, <c>user:&lt;email&gt;</c>, <c>key:&lt;name&gt;</c>.</summary>
    public static string Who(string actor) => actor switch
    {
        "system" => "Postmaster",
        _ when actor.StartsWith("user:", StringComparison.Ordinal) => actor["user:".Length..],
        _ when actor.StartsWith("key:", StringComparison.Ordinal) => $"API key {actor["key:".Length..]}",
        _ => actor,
    };

    private async Task<bool> MayEditAsync() => (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        if (await queries.DetailAsync(id, ct) is not { } detail)
        {
            return false;
        }

        Incident = detail.Incident;
        Samples = detail.Samples;
        var affected = string.IsNullOrEmpty(ValuesCursor)
            ? detail.Affected
            : await queries.AffectedAsync(id, Paging.FromLink<IncidentQueries.ValueKey>(ValuesCursor, IncidentQueries.DetailRows), ct);
        var timeline = string.IsNullOrEmpty(TimelineCursor)
            ? detail.Timeline
            : await queries.TimelineAsync(id, Paging.FromLink<IncidentQueries.TimelineKey>(TimelineCursor, IncidentQueries.DetailRows), ct);
        Affected = affected.Items;
        AffectedPager = PagerFor("values-pager", affected, Incident.AffectedCount, ValuesCursor, next => new { id, values = next }, "affected values");
        Timeline = timeline.Items;
        var lines = await db.IncidentTimeline.CountAsync(t => t.IncidentId == id, ct);
        TimelinePager = PagerFor("timeline-pager", timeline, lines, TimelineCursor, next => new { id, timeline = next }, "timeline entries");

        NextSteps = await IncidentNextSteps.ForAsync(Incident, db, providers, ct);
        IncidentRequests = (await requests.PageAsync(new RequestFilter(IncidentId: id), new PageRequest<RequestQueries.PageKey>(50, null), ct)).Items;
        Outcomes = await requests.OutcomesAsync(Incident.Provider, ct);
        CanEdit = await MayEditAsync();
        if (CanEdit)
        {
            Templates = await drafts.TemplatesAsync(id, ct) ?? [];

            var users = await IncidentAssignees.EmailsAsync(db, ct);
            if (Incident.Assignee is { } current && !users.Contains(current, StringComparer.OrdinalIgnoreCase))
            {
                users.Insert(0, current); // assigned to someone since removed: still shown as chosen
            }

            Users = users;
        }

        (FormState, FormAssignee, FormSeverity) = (Incident.State.ToApi(), Incident.Assignee ?? "", SeverityChoice(Incident));
        return true;
    }

    /// <summary>Each table's links carry only its own cursor: the other table starts again from its first page.</summary>
    private Pager PagerFor<T>(string pagerId, Page<T> page, long total, string? cursor, Func<string?, object> route, string noun) => new(
        pagerId,
        page.Items.Count,
        total,
        page.Next is null ? null : Url.Page(null, route(page.Next)),
        string.IsNullOrEmpty(cursor) ? null : Url.Page(null, route(null)),
        noun);
}
