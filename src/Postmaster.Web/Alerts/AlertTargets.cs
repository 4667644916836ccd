using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Alerts;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Mail;

namespace Postmaster.Web.Alerts;

/// <summary>One place an alert can go: an email address, or a configured webhook.</summary>
public sealed record AlertTarget(AlertChannel Channel, string Target, string? TargetKey)
{
    public (AlertChannel, string) Identity => (Channel, TargetKey ?? Target.ToLowerInvariant());
}

/// <summary>
/// Who gets which alert: the global recipients every alert (of a kind that is on), each subscribed
/// person the alerts their subscription wants, every webhook every alert. Email only when an SMTP
/// server is configured; a test alert also goes to the admin who sent it.
/// </summary>
public sealed class AlertTargets(PostmasterDbContext db, IOptions<AlertOptions> options, IOptions<SmtpOptions> smtp)
{
    private List<AlertTarget>? _everyone;
    private List<(AlertTarget Target, AlertInterest Interest)>? _subscribers;

    public static string WebhookKey(string url) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.Trim())))[..32];

    /// <summary>A webhook as the lists show it: its host, never its path or query (Slack puts the secret in the path).</summary>
    public static string WebhookLabel(int index, string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"webhook {index} ({uri.Host})" : $"webhook {index}";

    public async Task<IReadOnlyList<AlertTarget>> ForAsync(Alert alert, CancellationToken ct)
    {
        await LoadAsync(ct);
        var targets = new Dictionary<(AlertChannel, string), AlertTarget>();
        foreach (var target in _everyone!)
        {
            targets.TryAdd(target.Identity, target);
        }

        if (alert.Kind == AlertKinds.Test)
        {
            if (smtp.Value.Configured && alert.RequestedBy is { Length: > 0 } admin)
            {
                var own = new AlertTarget(AlertChannel.Email, admin, null);
                targets.TryAdd(own.Identity, own);
            }
        }
        else
        {
            foreach (var (target, interest) in _subscribers!)
            {
                if (interest.Wants(alert.Kind, alert.Provider, alert.Severity))
                {
                    targets.TryAdd(target.Identity, target);
                }
            }
        }

        return [.. targets.Values];
    }

    /// <summary>Whether anything at all is configured to deliver to (the test alert says so when nothing is).</summary>
    public bool AnyChannel => smtp.Value.Configured || options.Value.Webhooks.Count > 0;

    private async Task LoadAsync(CancellationToken ct)
    {
        if (_everyone is not null)
        {
            return;
        }

        _everyone = [];
        _subscribers = [];
        if (smtp.Value.Configured)
        {
            _everyone.AddRange(options.Value.RecipientAddresses().Select(a => new AlertTarget(AlertChannel.Email, a, null)));
            var rows = await (from s in db.AlertSubscriptions.AsNoTracking()
                              join u in db.Users.AsNoTracking() on s.UserId equals u.Id
                              where s.Email && u.Email != null
                              select new { s, u.Email }).ToListAsync(ct);
            _subscribers.AddRange(rows.Select(r => (new AlertTarget(AlertChannel.Email, r.Email!, null), r.s.Interest())));
        }

        var hooks = options.Value.Webhooks;
        for (var i = 0; i < hooks.Count; i++)
        {
            _everyone.Add(new AlertTarget(AlertChannel.Webhook, WebhookLabel(i, hooks[i].Url), WebhookKey(hooks[i].Url)));
        }
    }
}
