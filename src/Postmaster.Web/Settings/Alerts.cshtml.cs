using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Postmaster.Web.Alerts;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Infrastructure.Mail;

namespace Postmaster.Web.Settings;

/// <summary>Settings → Alerts (Admin): kinds on or off, where alerts go, recent deliveries and failures, a test alert.</summary>
public sealed class AlertsModel(
    AlertSettings settings, AlertQueries queries, IOptions<AlertOptions> alerts, IOptions<SmtpOptions> smtp, PublicLinks links, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public HashSet<string> Off { get; private set; } = [];

    public IReadOnlyList<AlertDeliveryResponse> Deliveries { get; private set; } = [];

    public IReadOnlyList<Alert> RecentAlerts { get; private set; } = [];

    public string? Next { get; private set; }

    public int Failing { get; private set; }

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    public AlertOptions Alerts => alerts.Value;

    public SmtpOptions Smtp => smtp.Value;

    public string? PublicUrl => links.Base;

    public DateTimeOffset Now => time.GetUtcNow();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostKindsAsync(string[]? on, CancellationToken ct)
    {
        var changed = await settings.SetKindsAsync((on ?? []).ToHashSet(StringComparer.Ordinal), ct);
        Message = changed.Count == 0 ? "Nothing changed." : $"Saved: {string.Join(", ", changed)}.";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostTestAsync(CancellationToken ct)
    {
        var result = await settings.SendTestAsync(await settings.EmailOfAsync(User, ct), ct);
        (Message, MessageIsError) = result.Problem is { } problem
            ? (problem, true)
            : ($"Test alert sent to {string.Join(", ", result.Targets.Select(t => t.Target))}. Its deliveries appear below within seconds.", false);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Off = await settings.OffAsync(ct);
        var page = await queries.PageAsync(Paging.FromLink<AlertQueries.PageKey>(Cursor, 50), failuresOnly: false, ct);
        (Deliveries, Next) = (page.Items, page.Next);
        Failing = await queries.FailingCountAsync(ct);
        RecentAlerts = await queries.RecentAlertsAsync(20, ct);
    }
}
