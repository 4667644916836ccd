using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Mail;
using Postmaster.Web.Infrastructure.Time;

namespace Postmaster.Web.Requests;

/// <summary>
/// One request: for a form, every field with a copy button and the form's link; for an email, the
/// address, subject and body, editable until it is sent through the SMTP relay. Then tracking: the
/// provider's reference and reply, the status, notes, the follow-up date, and a follow-up in one click.
/// Also routed as <c>/requests/{id}</c>.
/// </summary>
public sealed class DetailsModel(
    RequestQueries queries,
    RequestTracking tracking,
    RequestMailer mailer,
    RequestDrafts drafts,
    RequestModels models,
    PostmasterDbContext db,
    ProviderRegistry providers,
    IOptions<SmtpOptions> smtp,
    ViewerTime times,
    IAuthorizationService authorization,
    TimeProvider time) : PageModel
{
    /// <summary>The request shown (not <c>Request</c>: that is the page's HTTP request).</summary>
    public ProviderRequest Item { get; private set; } = null!;

    public Incident Incident { get; private set; } = null!;

    public IReadOnlyList<RequestEvent> History { get; private set; } = [];

    public RequestOutcome? Outcome { get; private set; }

    public bool CanEdit { get; private set; }

    public string? SmtpHost { get; private set; }

    public SenderFacts Sender { get; private set; } = new("", "");

    public string ProviderName { get; private set; } = "";

    public DateTimeOffset Now { get; private set; }

    /// <summary>Said once after a change (the change redirects back here).</summary>
    [TempData]
    public string? Saved { get; set; }

    /// <summary>Why the last action was refused, as the services said it.</summary>
    public string? Problem { get; private set; }

    /// <summary>The statuses the tracking form offers: where the request may go from here.</summary>
    public IReadOnlyList<RequestStatus> NextStatuses => Enum.GetValues<RequestStatus>()
        .Where(s => s != Item.Status && s != RequestStatus.Draft && RequestRules.Refuse(Item.Status, s) is null).ToList();

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostSaveAsync(long id, string? to, string? subject, string? body, Dictionary<string, string>? fields, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        var result = await tracking.EditDraftAsync(id, to, subject, body, fields, ct);
        return await AfterAsync(id, result, "Saved.", ct);
    }

    public async Task<IActionResult> OnPostSendAsync(long id, string? to, string? subject, string? body, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        // What is in the boxes is what goes out: save it first.
        var saved = await tracking.EditDraftAsync(id, to, subject, body, null, ct);
        if (saved.Outcome != RequestOutcomeKind.Done)
        {
            return await AfterAsync(id, saved, "", ct);
        }

        var sent = await mailer.SendAsync(id, ct);
        return await AfterAsync(id, sent, $"Sent to {sent.Request?.To}; the incident now awaits the reply.", ct);
    }

    public async Task<IActionResult> OnPostTrackAsync(
        long id, string? status, string? reference, string? followUpAt, string? note, string? replyText, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        if (await queries.FindAsync(id, ct) is not { } current)
        {
            return NotFound();
        }

        DateTimeOffset? followUp = null;
        if (!string.IsNullOrWhiteSpace(followUpAt))
        {
            // The field shows the viewer's wall-clock time (their time zone), and is read back the same way.
            if (!DateTime.TryParse(followUpAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
            {
                return await AfterAsync(id, new RequestResult(RequestOutcomeKind.Invalid, Problem: $"'{ColumnText.Fit(followUpAt, 40)}' is not a date and time ({times.Name})."), "", ct);
            }

            var utc = parsed.Kind == DateTimeKind.Unspecified ? times.FromViewer(parsed) : new DateTimeOffset(parsed.ToUniversalTime(), TimeSpan.Zero);
            if (utc is null)
            {
                return await AfterAsync(id, new RequestResult(RequestOutcomeKind.Invalid,
                    Problem: $"{parsed:yyyy-MM-dd HH:mm} does not exist in {times.Name} (the clocks skip that hour): choose another time."), "", ct);
            }

            followUp = utc.Value;
        }

        // The form sends every field; only what differs from the request is a change.
        var change = new RequestChange(
            Status: string.IsNullOrWhiteSpace(status) || RequestNames.ParseStatus(status) == current.Status ? null : status,
            Reference: reference is null || reference.Trim() == (current.Reference ?? "") ? null : reference,
            Note: string.IsNullOrWhiteSpace(note) ? null : note,
            FollowUpAt: followUp is { } f && current.FollowUpAt is { } c && Math.Abs((f - c).TotalMinutes) < 1 ? null : followUp,
            ReplyText: string.IsNullOrWhiteSpace(replyText) ? null : replyText);
        var result = change is { Status: null, Reference: null, Note: null, FollowUpAt: null, ReplyText: null }
            ? new RequestResult(RequestOutcomeKind.Invalid, Problem: "Nothing to change: pick a status, or write a reference, a note or the provider's reply.")
            : await tracking.ChangeAsync(id, change, ct);
        return await AfterAsync(id, result, "Saved: the change is on the incident's timeline.", ct);
    }

    public async Task<IActionResult> OnPostFollowUpAsync(long id, string? changed, CancellationToken ct)
    {
        if (!await MayEditAsync())
        {
            return Forbid();
        }

        var result = await drafts.FollowUpAsync(id, changed, ct);
        if (result.Outcome == RequestOutcomeKind.Done)
        {
            Saved = $"Follow-up of request #{id} drafted: check it, then send it.";
            return Redirect($"/requests/{result.Request!.Id}");
        }

        return await AfterAsync(id, result, "", ct);
    }

    private async Task<IActionResult> AfterAsync(long id, RequestResult result, string saved, CancellationToken ct)
    {
        if (result.Outcome == RequestOutcomeKind.Done)
        {
            Saved = saved;
            return Redirect($"/requests/{id}");
        }

        if (result.Outcome == RequestOutcomeKind.NotFound || !await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Problem = result.Problem;
        return Page();
    }

    /// <summary>Who did it, as a person reads it (the incident page's rule).</summary>
    public static string Who(string actor) => Incidents.DetailsModel.Who(actor);

    private async Task<bool> MayEditAsync() => (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        if (await queries.FindAsync(id, ct) is not { } request)
        {
            return false;
        }

        Item = request;
        Incident = await db.Incidents.AsNoTracking().FirstAsync(i => i.Id == request.IncidentId, ct);
        History = await queries.HistoryAsync(id, ct);
        Outcome = (await queries.OutcomesAsync(request.Provider, ct)).FirstOrDefault(o => o.Kind == request.Kind);
        CanEdit = await MayEditAsync();
        SmtpHost = smtp.Value.Configured ? smtp.Value.Host : null;
        Sender = models.Sender();
        ProviderName = providers.NameOf(request.Provider);
        Now = time.GetUtcNow();
        return true;
    }
}
