using System.Net.Mail;

namespace Postmaster.Web.Alerts;

/// <summary>One webhook target (<c>Postmaster:Alerts:Webhooks:N</c>).</summary>
public sealed class WebhookTarget
{
    public string Url { get; set; } = "";

    /// <summary>Signs the body (HMAC-SHA256) when set; a receiver that checks it knows the call is ours.</summary>
    public string? Secret { get; set; }

    /// <summary><c>json</c> (PRODUCT.md's shape) or <c>slack</c> (<c>{"text": …}</c>, which Slack, Mattermost and Rocket.Chat take).</summary>
    public string Format { get; set; } = "json";

    public bool IsSlack => Format.Trim().Equals("slack", StringComparison.OrdinalIgnoreCase);
}

/// <summary><c>Postmaster:Alerts</c>: who gets alerts, how they stack, and how deliveries are retried.</summary>
public sealed class AlertOptions
{
    public const string Section = "Postmaster:Alerts";

    /// <summary>Addresses that get every alert whose kind is on; an entry may hold several separated by <c>;</c> or <c>,</c>.</summary>
    public List<string> Recipients { get; set; } = [];

    /// <summary>Changes within this window go out as one digest per recipient and webhook; 0 sends each batch at once.</summary>
    public double StackingMinutes { get; set; } = 5;

    public List<WebhookTarget> Webhooks { get; set; } = [];

    public bool AllowPrivateWebhookTargets { get; set; }

    /// <summary>How often the delivery job looks for work the immediate runs missed (a crash, another instance's alerts).</summary>
    public int CatchUpSeconds { get; set; } = 10;

    /// <summary>The wait before the first retry; each later one waits twice as long, at most 30 minutes.</summary>
    public double RetrySeconds { get; set; } = 30;

    /// <summary>A delivery still failing this long after its first attempt is given up (and shown as failed).</summary>
    public double GiveUpHours { get; set; } = 48;

    /// <summary>How often quiet IPs are checked for a turn to high risk.</summary>
    public int QuietCheckMinutes { get; set; } = 60;

    public TimeSpan StackingWindow => TimeSpan.FromMinutes(StackingMinutes);

    public IReadOnlyList<string> RecipientAddresses() =>
        Recipients.SelectMany(r => r.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>Why the settings cannot work, naming the key; null when they can.</summary>
    public string? Problem()
    {
        if (StackingMinutes is < 0 or > 1440 || double.IsNaN(StackingMinutes))
        {
            return $"Postmaster:Alerts:StackingMinutes must be from 0 to 1440 (it is {StackingMinutes}).";
        }

        if (RetrySeconds is < 0.1 or > 3600 || GiveUpHours is < 0.01 or > 720 || CatchUpSeconds is < 1 or > 3600 || QuietCheckMinutes is < 1 or > 10080)
        {
            return "Postmaster:Alerts:RetrySeconds (0.1–3600), :GiveUpHours (up to 720), :CatchUpSeconds (1–3600) and :QuietCheckMinutes (1–10080) are out of range.";
        }

        foreach (var address in RecipientAddresses())
        {
            if (!MailAddress.TryCreate(address, out _))
            {
                return $"Postmaster:Alerts:Recipients has '{address}', which is not an email address.";
            }
        }

        for (var i = 0; i < Webhooks.Count; i++)
        {
            var hook = Webhooks[i];
            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                return $"Postmaster:Alerts:Webhooks:{i}:Url must be an absolute http or https address.";
            }

            if (!hook.Format.Trim().Equals("json", StringComparison.OrdinalIgnoreCase) && !hook.IsSlack)
            {
                return $"Postmaster:Alerts:Webhooks:{i}:Format is '{hook.Format}'; use json or slack.";
            }
        }

        return null;
    }
}
