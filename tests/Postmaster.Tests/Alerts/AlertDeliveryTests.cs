using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Alerts;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Alerts;

/// <summary>
/// Alerts end to end: sweeps on real rbldnsd zones open incidents, alert mail arrives at a real SMTP
/// server (aiosmtpd) and signed calls at a local webhook receiver, through outages and restarts.
/// </summary>
public sealed class AlertDeliveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sweep_that_opens_incidents_sends_one_digest_email_and_one_signed_webhook_call_retried_with_the_same_id()
    {
        await using var smtp = await AiosmtpdServer.StartAsync(Ct);
        await using var hook = new WebhookListener(503); // the receiver fails once: the call is retried
        await using var scenario = await AlertScenario.StartAsync(AlertScenario.Settings(smtp.Port, stackingMinutes: 0.1, hook.Url));

        await scenario.SweepAsync(SweepScenario.Zones());
        var deliveries = await scenario.SettledDeliveriesAsync(Patience);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct); // nothing more comes

        var mail = Assert.Single(smtp.Messages());
        Assert.Contains(AlertScenario.Recipient, mail.Headers["X-RcptTo"], StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("[Postmaster] 4 new incidents (spamhaus 3, surbl 1), 1 list quarantined", mail.Subject, StringComparison.Ordinal);
        Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]);
        var text = mail.TextBody;
        Assert.Contains("Spamhaus SBL lists 2 addresses of 203.0.113.0/28, new incident #", text, StringComparison.Ordinal);
        Assert.Contains("Spamhaus DBL lists spammy.example, new incident #", text, StringComparison.Ordinal);
        Assert.Contains("SpamCop Blocking List (SCBL) quarantined", text, StringComparison.Ordinal);
        Assert.Contains($"Open: {AlertScenario.PublicUrl}/incidents/", text, StringComparison.Ordinal);
        Assert.Contains("https://check.spamhaus.org/", text, StringComparison.Ordinal); // the provider's next step
        Assert.Contains("203.0.113.5 on zen.spamhaus.org: 127.0.0.2 (sbl)", text, StringComparison.Ordinal); // the evidence
        Assert.Contains("SBL listing, see https://check.spamhaus.org/query/ip/203.0.113.5", mail.HtmlBody, StringComparison.Ordinal);

        var calls = await hook.WaitForAsync(2, Patience, Ct);
        Assert.Equal([503, 200], calls.Select(c => c.Answered));
        Assert.Equal(calls[0].Header("X-Postmaster-Delivery"), calls[1].Header("X-Postmaster-Delivery"));
        Assert.Equal(calls[0].Body, calls[1].Body);
        Assert.All(calls, c => Assert.True(WebhookSignature.Verify(AlertScenario.WebhookSecret, c.Body, c.Header("X-Postmaster-Signature")), c.Header("X-Postmaster-Signature")));
        Assert.StartsWith("sha256=", calls[0].Header("X-Postmaster-Signature"), StringComparison.Ordinal);

        var body = JsonDocument.Parse(calls[1].Body).RootElement;
        Assert.Equal(calls[1].Header("X-Postmaster-Delivery"), body.GetProperty("id").GetString());
        Assert.Equal("digest", body.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("incident").ValueKind);
        var alerts = body.GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(5, alerts.Count);
        var range = Assert.Single(alerts, a => a.GetProperty("incident").ValueKind == JsonValueKind.Object
            && a.GetProperty("incident").GetProperty("assetGroup").GetProperty("value").GetString() == "203.0.113.0/28");
        Assert.Equal("incident-opened", range.GetProperty("kind").GetString());
        var incident = range.GetProperty("incident");
        Assert.Equal(["id", "provider", "assetGroup", "state", "severity", "affectedCount", "url"], incident.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("spamhaus", "open"), (incident.GetProperty("provider").GetString(), incident.GetProperty("state").GetString()));
        Assert.Equal($"{AlertScenario.PublicUrl}/incidents/{incident.GetProperty("id").GetInt64()}", incident.GetProperty("url").GetString());
        Assert.Equal(["203.0.113.5", "203.0.113.9"], range.GetProperty("values").EnumerateArray().Select(v => v.GetString()).Order());
        Assert.Equal(["id", "kind", "at", "summary", "incident", "values"], range.EnumerateObject().Select(p => p.Name));

        // One delivery per target, each sent; the webhook's after one retry, the failure shown on the way.
        Assert.Equal(2, deliveries.Count);
        var webhook = Assert.Single(deliveries, d => d.GetProperty("channel").GetString() == "webhook");
        Assert.Equal(("sent", 2), (webhook.GetProperty("state").GetString(), webhook.GetProperty("attempts").GetInt32()));
        Assert.Contains("503", webhook.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal("webhook 0 (127.0.0.1)", webhook.GetProperty("target").GetString());
        var email = Assert.Single(deliveries, d => d.GetProperty("channel").GetString() == "email");
        Assert.Equal(mail.MessageId, $"{email.GetProperty("deliveryId").GetString()}@alerts.test");
    }

    [Fact]
    public async Task An_smtp_outage_delays_the_mail_and_it_arrives_once_when_the_server_is_back()
    {
        await using var smtp = AiosmtpdServer.Stopped(); // nothing listens yet
        await using var scenario = await AlertScenario.StartAsync(AlertScenario.Settings(smtp.Port, stackingMinutes: 0),
            assets: ["spammy.example"], lists: ["spamhaus-dbl"]);

        await scenario.SweepAsync(SweepScenario.Zones());
        // Between attempts, not during one: a third attempt may already be under way ("sending").
        var failing = await WaitAsync(scenario, d => d.GetProperty("attempts").GetInt32() >= 2 && d.GetProperty("state").GetString() == "retrying");
        Assert.Contains("Could not reach the SMTP server", failing.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        await smtp.StartAgainAsync(Ct);
        var sent = await WaitAsync(scenario, d => d.GetProperty("state").GetString() == "sent");
        await Task.Delay(TimeSpan.FromSeconds(4), Ct); // further retries would land by now

        var mail = Assert.Single(smtp.Messages());
        Assert.Equal("[Postmaster] Spamhaus DBL lists spammy.example, new incident #1", mail.Subject);
        Assert.Equal($"{sent.GetProperty("deliveryId").GetString()}@alerts.test", mail.MessageId);
    }

    [Fact]
    public async Task A_restart_between_the_change_and_its_delivery_loses_nothing_and_sends_once()
    {
        await using var smtp = await AiosmtpdServer.StartAsync(Ct);
        await using var scenario = await AlertScenario.StartAsync(AlertScenario.Settings(smtp.Port, stackingMinutes: 60),
            assets: ["spammy.example", "phishy.example"], lists: ["spamhaus-dbl", "surbl-multi"]);
        await scenario.SweepAsync(SweepScenario.Zones());
        var waiting = await WaitAsync(scenario, d => d.GetProperty("state").GetString() == "pending");
        Assert.Equal(2, waiting.GetProperty("alertCount").GetInt32());

        // Stopped inside its stacking window; the next start has none, so what waited goes at once.
        await scenario.RestartAsync(new() { ["Postmaster:Alerts:StackingMinutes"] = "0" });
        var mails = await smtp.WaitForAsync(1, Patience, Ct);
        await Task.Delay(TimeSpan.FromSeconds(4), Ct);

        var mail = Assert.Single(smtp.Messages());
        Assert.Equal("[Postmaster] 2 new incidents (spamhaus 1, surbl 1)", mail.Subject);
        Assert.Single(mails);
    }

    [Fact]
    public async Task A_webhook_that_resolves_to_a_private_address_is_refused_by_default()
    {
        await using var hook = new WebhookListener();
        var settings = AlertScenario.Settings(smtpPort: null, stackingMinutes: 0, hook.Url);
        settings["Postmaster:Alerts:AllowPrivateWebhookTargets"] = null; // the default: refused
        await using var scenario = await AlertScenario.StartAsync(settings, assets: [], lists: []);

        var response = await scenario.Api.PostAsync("/api/alerts/test", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var failed = await WaitAsync(scenario, d => d.GetProperty("state").GetString() == "failed");
        Assert.Contains("127.0.0.1: loopback, private or link-local, so it is refused", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32()); // refused for good, not retried
        Assert.Empty(hook.Calls);
    }

    [Fact]
    public async Task Subscriptions_decide_what_each_person_receives_and_a_kind_switched_off_goes_to_nobody()
    {
        await using var smtp = await AiosmtpdServer.StartAsync(Ct);
        await using var scenario = await AlertScenario.StartAsync(AlertScenario.Settings(smtp.Port, stackingMinutes: 0.1));
        await scenario.AddSubscriberAsync("surbl-watcher@alerts.test", Roles.Viewer, mail: true, [AlertKinds.IncidentOpened], providers: ["surbl"]);
        await scenario.AddSubscriberAsync("critical-only@alerts.test", Roles.Responder, mail: true, [.. AlertKinds.All.Select(k => k.Name)], minimum: IncidentSeverity.Critical);
        await scenario.AddSubscriberAsync("lists-only@alerts.test", Roles.Viewer, mail: true, [AlertKinds.ListQuarantined, AlertKinds.IncidentResolved]);
        await scenario.AddSubscriberAsync("mail-off@alerts.test", Roles.Admin, mail: false, [.. AlertKinds.All.Select(k => k.Name)]);
        await scenario.InScopeAsync(async sp =>
            await sp.GetRequiredService<Web.Alerts.AlertSettings>().SetKindsAsync(
                AlertKinds.All.Select(k => k.Name).Where(k => k != AlertKinds.ListQuarantined).ToHashSet(), Ct));

        await scenario.SweepAsync(SweepScenario.Zones());
        await scenario.SettledDeliveriesAsync(Patience);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        var surbl = Assert.Single(smtp.MessagesTo("surbl-watcher@alerts.test"));
        // Incident numbers follow the order the sweep's chunks commit in: any number, but one incident.
        Assert.Matches(@"^\[Postmaster\] SURBL multi lists phishy\.example, new incident #\d+$", surbl.Subject);
        var critical = Assert.Single(smtp.MessagesTo("critical-only@alerts.test")); // Spamhaus weighs severe: critical; SURBL does not
        Assert.Equal("[Postmaster] 3 new incidents (spamhaus 3)", critical.Subject);
        Assert.Empty(smtp.MessagesTo("lists-only@alerts.test")); // the quarantine alert is switched off
        Assert.Empty(smtp.MessagesTo("mail-off@alerts.test"));
        var everything = Assert.Single(smtp.MessagesTo(AlertScenario.Recipient));
        Assert.Equal("[Postmaster] 4 new incidents (spamhaus 3, surbl 1)", everything.Subject);
        Assert.Equal(3, smtp.Messages().Count);
    }

    [Fact]
    public async Task Many_changes_within_the_window_are_one_digest_and_a_range_listed_whole_is_one_line_that_says_so()
    {
        await using var smtp = await AiosmtpdServer.StartAsync(Ct);
        string[] singles = [.. Enumerable.Range(1, 12).Select(i => $"192.0.2.{i}")];
        await using var scenario = await AlertScenario.StartAsync(AlertScenario.Settings(smtp.Port, stackingMinutes: 0.1),
            assets: ["198.51.100.0/24", .. singles], lists: ["spamhaus-zen"]);
        RbldnsdZone[] listed =
        [
            new("zen.spamhaus.org", RbldnsdZoneType.Ip4Trie, ":127.0.0.2:SBL listing\n127.0.0.2/32\n198.51.100.0/24\n192.0.2.0/28\n"),
            new("zen.spamhaus.org", RbldnsdZoneType.Ip6Trie, "::ffff:7f00:2 :127.0.0.2:test point\n"),
        ];

        await scenario.SweepAsync(listed); // 268 addresses in chunks of 16: the engine meets them chunk by chunk
        await scenario.SettledDeliveriesAsync(Patience);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        var mail = Assert.Single(smtp.Messages());
        Assert.StartsWith("[Postmaster] 13 new incidents (spamhaus 13)", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Spamhaus SBL lists 256 addresses of 198.51.100.0/24, new incident #", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Spamhaus SBL lists 192.0.2.7, new incident #", mail.TextBody, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> WaitAsync(AlertScenario scenario, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var deliveries = await scenario.DeliveriesAsync();
            if (deliveries.FirstOrDefault(condition) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No delivery became as expected: {string.Join("\n", deliveries)}");
            await Task.Delay(200, Ct);
        }
    }
}
