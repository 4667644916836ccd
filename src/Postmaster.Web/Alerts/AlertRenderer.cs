using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Postmaster.Core.Alerts;

namespace Postmaster.Web.Alerts;

/// <summary>
/// Writes alerts out as mail, PRODUCT.md's webhook JSON, or a Slack-compatible message. Pure: the
/// views are loaded elsewhere. Text from outside is data everywhere: HTML-encoded in the HTML part,
/// escaped for Slack's markup, a JSON string in JSON, and only http(s) addresses become links.
/// </summary>
public static class AlertRenderer
{
    public const string SubjectPrefix = "[Postmaster] ";

    /// <summary>Alerts of a digest shown in full; the rest are listed by their headline.</summary>
    public const int FullItems = 20;

    /// <summary>Headlines listed after the full ones; beyond that a count and the link.</summary>
    public const int ListedItems = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    /// <summary>
    /// What a digest tells: a severity raise of an incident that opened (or reopened) in the same
    /// digest is already in the opening's current severity.
    /// </summary>
    public static IReadOnlyList<AlertView> Collapse(IReadOnlyList<AlertView> views)
    {
        var opened = views.Where(v => v.Kind is AlertKinds.IncidentOpened or AlertKinds.IncidentReopened && v.Incident is not null)
            .Select(v => v.Incident!.Id).ToHashSet();
        return views.Where(v => !(v.Kind == AlertKinds.IncidentSeverityRaised && v.Incident is { } i && opened.Contains(i.Id)))
            .OrderBy(v => v.At).ThenBy(v => v.AlertId).ToList();
    }

    /// <summary>The subject without the prefix: the one headline, or what the digest holds, most urgent first.</summary>
    public static string Summary(IReadOnlyList<AlertView> views)
    {
        if (views.Count == 1)
        {
            return views[0].Headline;
        }

        var parts = new List<string>();
        foreach (var kind in AlertKinds.All.Select(k => k.Name).Append(AlertKinds.Test))
        {
            var of = views.Where(v => v.Kind == kind).ToList();
            if (of.Count == 0)
            {
                continue;
            }

            var phrase = Counted(kind, of.Count);
            if (kind is AlertKinds.IncidentOpened or AlertKinds.IncidentReopened && of.Any(v => v.Incident is not null))
            {
                var byProvider = of.Where(v => v.Incident is not null).GroupBy(v => v.Incident!.Provider)
                    .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => $"{g.Key} {g.Count()}");
                phrase += $" ({string.Join(", ", byProvider)})";
            }

            parts.Add(phrase);
        }

        return string.Join(", ", parts);
    }

    public static string Subject(IReadOnlyList<AlertView> views) => Fit(SubjectPrefix + OneLine(Summary(views)), 300);

    public static AlertMail Email(IReadOnlyList<AlertView> all, string alertsPage)
    {
        var views = Collapse(all);
        var text = new StringBuilder();
        var html = new StringBuilder();
        var summary = Summary(views);
        html.Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.4\">");
        if (views.Count > 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"{summary}\n{views.Count} changes stacked into this message.\n\n");
            html.Append(CultureInfo.InvariantCulture, $"<p><strong>{H(summary)}</strong><br>{views.Count} changes stacked into this message.</p>");
        }

        for (var n = 0; n < views.Count && n < FullItems; n++)
        {
            if (views.Count > 1)
            {
                text.Append(CultureInfo.InvariantCulture, $"--- {n + 1} of {views.Count} ---\n");
                html.Append("<hr>");
            }

            Full(views[n], text, html);
        }

        if (views.Count > FullItems)
        {
            var listed = views.Skip(FullItems).Take(ListedItems).ToList();
            text.Append(CultureInfo.InvariantCulture, $"--- and {views.Count - FullItems:N0} more ---\n");
            html.Append(CultureInfo.InvariantCulture, $"<hr><p>And {views.Count - FullItems:N0} more:</p><ul>");
            foreach (var v in listed)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {OneLine(v.Headline)} {v.Link}\n");
                html.Append(CultureInfo.InvariantCulture, $"<li>{Linked(v.Headline, v.Link)}</li>");
            }

            html.Append("</ul>");
            var unlisted = views.Count - FullItems - listed.Count;
            if (unlisted > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"- and {unlisted:N0} more: see the incidents list.\n");
                html.Append(CultureInfo.InvariantCulture, $"<p>And {unlisted:N0} more: see the incidents list.</p>");
            }

            text.Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"--\nPostmaster alerts. What you receive: {alertsPage}\n");
        html.Append(CultureInfo.InvariantCulture, $"<hr><p style=\"color:#666\">Postmaster alerts. {Linked("What you receive", alertsPage)}</p></body></html>");
        return new AlertMail(Subject(views), text.ToString(), html.ToString());
    }

    private static void Full(AlertView v, StringBuilder text, StringBuilder html)
    {
        var at = v.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        text.Append(CultureInfo.InvariantCulture, $"{OneLine(v.Headline)}\n{at}\n\nWhat happened: {v.What}\n");
        html.Append(CultureInfo.InvariantCulture, $"<h2 style=\"font-size:1.1em\">{H(v.Headline)}</h2><p style=\"color:#666\">{H(at)}</p><p><strong>What happened:</strong> {H(v.What)}</p>");
        if (v.Incident is { } i)
        {
            var group = i.AssetGroup.Label is { Length: > 0 } label ? $"{i.AssetGroup.Value} ({label})" : i.AssetGroup.Value;
            var line = $"Incident #{i.Id}: {i.Provider} · {group}{(i.AssetGroup.InInventory ? "" : " · not in inventory")} · {i.State} · {i.Severity} · {i.AffectedCount:N0} affected value{(i.AffectedCount == 1 ? "" : "s")}";
            text.Append(CultureInfo.InvariantCulture, $"{line}\n");
            html.Append(CultureInfo.InvariantCulture, $"<p>{H(line)}</p>");
        }

        if (v.Values.Count > 0 && v.Incident is null)
        {
            var more = v.ValueCount > v.Values.Count ? $" (and {v.ValueCount - v.Values.Count:N0} more)" : "";
            var values = string.Join(", ", v.Values.Take(20)) + (v.Values.Count > 20 && more.Length == 0 ? $" (and {v.Values.Count - 20:N0} more)" : "") + more;
            text.Append(CultureInfo.InvariantCulture, $"Values: {values}\n");
            html.Append(CultureInfo.InvariantCulture, $"<p><strong>Values:</strong> <code>{H(values)}</code></p>");
        }

        Section("Evidence", v.Evidence, text, html);
        Section("Next step", v.NextSteps, text, html);
        text.Append(CultureInfo.InvariantCulture, $"Open: {v.Link}\n\n");
        html.Append(CultureInfo.InvariantCulture, $"<p>{Linked("Open it in Postmaster", v.Link)} <span style=\"color:#666\">{H(v.Link)}</span></p>");
    }

    private static void Section(string title, IReadOnlyList<string> lines, StringBuilder text, StringBuilder html)
    {
        if (lines.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"{title}:\n");
        html.Append(CultureInfo.InvariantCulture, $"<p><strong>{H(title)}:</strong></p><ul>");
        foreach (var line in lines)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {line}\n");
            html.Append(CultureInfo.InvariantCulture, $"<li style=\"font-family:monospace\">{H(line)}</li>");
        }

        html.Append("</ul>");
    }

    /// <summary>
    /// PRODUCT.md's webhook body: <c>{"id", "kind", "at", "summary", "incident", "values"}</c>, <c>id</c>
    /// being the delivery's id (also in <c>X-Postmaster-Delivery</c>). A digest has kind <c>digest</c>,
    /// no incident, and its alerts, each in the same shape with the alert's own id, under <c>alerts</c>.
    /// </summary>
    public static string WebhookJson(string deliveryKey, IReadOnlyList<AlertView> all)
    {
        var views = Collapse(all);
        if (views.Count == 1)
        {
            var v = views[0];
            return JsonSerializer.Serialize(new WebhookAlert(deliveryKey, v.Kind, v.At, v.Headline, v.Incident, Values(v)), Json);
        }

        var alerts = views.Select(v => new WebhookAlert(v.AlertId.ToString(CultureInfo.InvariantCulture), v.Kind, v.At, v.Headline, v.Incident, Values(v))).ToList();
        return JsonSerializer.Serialize(new WebhookDigest(deliveryKey, AlertKinds.Digest, views.Max(v => v.At), Summary(views), null, [], alerts), Json);
    }

    /// <summary>Slack's incoming-webhook body (<c>{"text"}</c>, mrkdwn), which Mattermost and Rocket.Chat also take.</summary>
    public static string SlackJson(IReadOnlyList<AlertView> all)
    {
        var views = Collapse(all);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{Slack(Subject(views))}*");
        foreach (var v in views.Take(FullItems))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n• {Slack(OneLine(v.Headline))}");
            if (views.Count == 1)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n{Slack(v.What)}");
                foreach (var step in v.NextSteps.Take(2))
                {
                    text.Append(CultureInfo.InvariantCulture, $"\nNext step: {Slack(step)}");
                }
            }

            if (Web(v.Link) is { } url)
            {
                text.Append(CultureInfo.InvariantCulture, $" <{url}|open>");
            }
        }

        if (views.Count > FullItems)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n…and {views.Count - FullItems:N0} more.");
        }

        return JsonSerializer.Serialize(new { text = text.ToString() }, Json);
    }

    private static IReadOnlyList<string> Values(AlertView v) => v.Values;

    private static string Counted(string kind, int n) => kind switch
    {
        AlertKinds.IncidentOpened => n == 1 ? "1 new incident" : $"{n:N0} new incidents",
        AlertKinds.IncidentReopened => $"{n:N0} reopened",
        AlertKinds.IncidentSeverityRaised => $"{n:N0} severity raised",
        AlertKinds.IncidentResolved => $"{n:N0} resolved",
        AlertKinds.FollowUpDue => n == 1 ? "1 follow-up due" : $"{n:N0} follow-ups due",
        AlertKinds.ReplyOverdue => n == 1 ? "1 reply overdue" : $"{n:N0} replies overdue",
        AlertKinds.ListQuarantined => n == 1 ? "1 list quarantined" : $"{n:N0} lists quarantined",
        AlertKinds.ResolverRefused => n == 1 ? "1 list refusing our resolver" : $"{n:N0} lists refusing our resolver",
        AlertKinds.SweepFailed => n == 1 ? "1 sweep failed" : $"{n:N0} sweeps failed",
        AlertKinds.QuietIpHigh => n == 1 ? "1 quiet-IP warning" : $"{n:N0} quiet-IP warnings",
        _ => n == 1 ? "1 test alert" : $"{n:N0} test alerts",
    };

    private static string H(string text) => WebUtility.HtmlEncode(text);

    private static string Linked(string label, string link) =>
        Web(link) is { } url ? $"<a href=\"{H(url)}\">{H(label)}</a>" : H(label);

    private static string? Web(string link) => Incidents.IncidentNextSteps.WebLink(link)?.AbsoluteUri;

    /// <summary>Slack's three control characters (docs.slack.dev, "Formatting text for app surfaces": escape &amp;, &lt;, &gt;).</summary>
    private static string Slack(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A header line: control characters (a CR or LF in a label) never reach the subject.</summary>
    private static string OneLine(string text) => new([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);

    private static string Fit(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private sealed record WebhookAlert(string Id, string Kind, DateTimeOffset At, string Summary, AlertIncident? Incident, IReadOnlyList<string> Values);

    private sealed record WebhookDigest(
        string Id, string Kind, DateTimeOffset At, string Summary, AlertIncident? Incident, IReadOnlyList<string> Values, IReadOnlyList<WebhookAlert> Alerts);
}
