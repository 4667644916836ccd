using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Core.Providers;
using Postmaster.Web.Alerts;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Mail;

namespace Postmaster.Web.Account;

/// <summary>A signed-in person's own alert mail: on or off, which kinds, which providers, from which severity. Every role.</summary>
public sealed class AlertsModel(
    UserManager<PostmasterUser> users, AlertSettings settings, IOptions<SmtpOptions> smtp, ProviderRegistry providers, BlocklistCatalog catalog) : PageModel
{
    public AlertSubscription Subscription { get; private set; } = new();

    public HashSet<string> Off { get; private set; } = [];

    public IReadOnlyList<string> Providers { get; private set; } = [];

    public bool MailConfigured => smtp.Value.Configured;

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        await LoadAsync(user, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(bool email, string[]? kinds, string[]? providers, string? minimum, CancellationToken ct)
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        var least = IncidentNames.ParseSeverity(minimum);
        await settings.SaveSubscriptionAsync(user.Id, email, kinds ?? [], providers ?? [], least, ct);
        await LoadAsync(user, ct);
        Message = email ? "Saved: alerts you chose come to " + user.Email + "." : "Saved: no alert mail for you.";
        return Page();
    }

    private async Task LoadAsync(PostmasterUser user, CancellationToken ct)
    {
        Subscription = await settings.SubscriptionAsync(user.Id, ct);
        Off = await settings.OffAsync(ct);
        Providers = IncidentQueries.KnownProviders(providers, catalog);
    }

    public bool Wants(string kind) => Core.Alerts.AlertInterest.Split(Subscription.Kinds).Contains(kind);

    public bool Names(string provider) => Core.Alerts.AlertInterest.Split(Subscription.Providers).Contains(provider);

    public static IEnumerable<IncidentSeverity> Severities => Enum.GetValues<IncidentSeverity>();
}
