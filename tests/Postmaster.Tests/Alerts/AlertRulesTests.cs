using System.Net;
using System.Text;
using System.Text.Json;
using Postmaster.Core.Alerts;
using Postmaster.Core.Incidents;
using Postmaster.Web.Alerts;
using Postmaster.Web.Incidents;

namespace Postmaster.Tests.Alerts;

/// <summary>The pure parts of alerting: which addresses a webhook may reach, signatures, retries, subscriptions, and what a message says.</summary>
public sealed class AlertRulesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.0.0.1")] // IPv4-mapped
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("2002:a00:1::1")] // 6to4 of 10.0.0.1
    public void Internal_addresses_are_refused_as_webhook_targets(string address) =>
        Assert.True(AddressScope.IsInternal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("::ffff:93.184.216.34")]
    public void Public_addresses_are_allowed(string address) => Assert.False(AddressScope.IsInternal(IPAddress.Parse(address)));

    [Fact]
    public void The_signature_is_hmac_sha256_of_the_body_in_lowercase_hex()
    {
        var body = Encoding.UTF8.GetBytes("{\"kind\":\"test\"}");

        var signature = WebhookSignature.Sign("secret", body);

        // echo -n '{"kind":"test"}' | openssl dgst -sha256 -hmac secret
        Assert.Equal("sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("secret"), body)), signature);
        Assert.True(WebhookSignature.Verify("secret", body, signature));
        Assert.False(WebhookSignature.Verify("other", body, signature));
    }

    [Fact]
    public void Retries_back_off_doubling_up_to_half_an_hour()
    {
        var first = TimeSpan.FromSeconds(30);

        Assert.Equal([30, 60, 120, 240, 480, 960, 1800, 1800], Enumerable.Range(1, 8).Select(n => RetrySchedule.After(n, first).TotalSeconds));
    }

    [Fact]
    public void A_subscription_filters_by_kind_provider_and_least_severity()
    {
        var interest = new AlertInterest(new HashSet<string> { AlertKinds.IncidentOpened, AlertKinds.SweepFailed }, new HashSet<string> { "spamhaus" }, IncidentSeverity.High);

        Assert.True(interest.Wants(AlertKinds.IncidentOpened, "spamhaus", IncidentSeverity.Critical));
        Assert.False(interest.Wants(AlertKinds.IncidentOpened, "spamhaus", IncidentSeverity.Medium));
        Assert.False(interest.Wants(AlertKinds.IncidentOpened, "microsoft", IncidentSeverity.Critical));
        Assert.False(interest.Wants(AlertKinds.IncidentResolved, "spamhaus", IncidentSeverity.Critical));
        Assert.True(interest.Wants(AlertKinds.SweepFailed, null, null)); // about no provider and no incident: passes those filters
    }

    [Theory]
    [InlineData("Spamhaus SBL: direct spam source", "Spamhaus SBL")]
    [InlineData("Spamhaus PBL, entry maintained by the ISP: end-user range", "Spamhaus PBL")]
    [InlineData("Spamhaus XBL (includes former CBL data): exploited host", "Spamhaus XBL")]
    [InlineData("URIBL black: domain belonging to spammers", "URIBL black")]
    [InlineData("Listed in the Barracuda Reputation Block List (poor-reputation / spam-sending IP)", null)]
    public void A_listing_is_named_by_the_component_its_code_means(string meaning, string? expected) =>
        Assert.Equal(expected, AlertContent.ComponentName(meaning));

    private static AlertView View(long id, string kind, string headline, string evidence = "", long incident = 12) => new(
        id, kind, new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero), headline, "192.0.2.10 listed on zen.spamhaus.org (127.0.0.2).",
        new AlertIncident(incident, "spamhaus", new AssetGroupResponse("192.0.2.10", "pool-a", 1, true), "open", "high", 1, $"https://pm.example/incidents/{incident}"),
        ["192.0.2.10"], 1, evidence.Length > 0 ? [evidence] : [], ["Spamhaus ZEN (zen.spamhaus.org): removal: https://check.spamhaus.org/."], $"https://pm.example/incidents/{incident}");

    [Fact]
    public void One_alert_is_a_subject_a_person_can_triage_from_a_lock_screen()
    {
        var mail = AlertRenderer.Email([View(1, AlertKinds.IncidentOpened, "Spamhaus SBL lists 192.0.2.10 (pool-a), new incident #12")], "https://pm.example/Account/Alerts");

        Assert.Equal("[Postmaster] Spamhaus SBL lists 192.0.2.10 (pool-a), new incident #12", mail.Subject);
        Assert.Contains("Next step:\n  - Spamhaus ZEN (zen.spamhaus.org): removal: https://check.spamhaus.org/.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Open: https://pm.example/incidents/12", mail.Text, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://pm.example/incidents/12\">", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Evidence_and_labels_are_data_in_the_html_part_and_never_break_the_subject()
    {
        var hostile = "<script>alert(1)</script> & \"quoted\"";
        var mail = AlertRenderer.Email([View(1, AlertKinds.IncidentOpened, "Spamhaus SBL lists 192.0.2.10 (pool\r\nBcc: x@evil), new incident #12", hostile)], "/Account/Alerts");

        Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', mail.Subject);
        Assert.DoesNotContain('\r', mail.Subject);
    }

    [Fact]
    public void A_digest_says_what_it_holds_and_drops_a_raise_already_in_a_new_incident()
    {
        AlertView[] views =
        [
            View(1, AlertKinds.IncidentOpened, "Spamhaus SBL lists 192.0.2.10 (pool-a), new incident #12"),
            View(2, AlertKinds.IncidentSeverityRaised, "Spamhaus SBL lists 192.0.2.10 (pool-a): severity now critical, incident #12"),
            View(3, AlertKinds.IncidentOpened, "Spamhaus SBL lists 192.0.2.11, new incident #13", incident: 13),
            View(4, AlertKinds.IncidentResolved, "Spamhaus SBL no longer lists 192.0.2.12, incident #9 resolved", incident: 9),
        ];

        var mail = AlertRenderer.Email(views, "/Account/Alerts");

        Assert.Equal("[Postmaster] 2 new incidents (spamhaus 2), 1 resolved", mail.Subject);
        Assert.DoesNotContain("severity now critical", mail.Text, StringComparison.Ordinal);
        Assert.Contains("3 changes stacked into this message.", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_webhook_json_has_the_contract_shape_and_slack_text_is_escaped()
    {
        var view = View(7, AlertKinds.IncidentOpened, "Spamhaus SBL lists 192.0.2.10 <b>&</b>, new incident #12");

        var json = JsonDocument.Parse(AlertRenderer.WebhookJson("3f2c-delivery", [view])).RootElement;
        var slack = JsonDocument.Parse(AlertRenderer.SlackJson([view])).RootElement.GetProperty("text").GetString()!;

        Assert.Equal(["id", "kind", "at", "summary", "incident", "values"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("3f2c-delivery", "incident-opened"), (json.GetProperty("id").GetString(), json.GetProperty("kind").GetString()));
        Assert.Equal("2026-12-06T20:00:00+00:00", json.GetProperty("at").GetString());
        Assert.Equal("https://pm.example/incidents/12", json.GetProperty("incident").GetProperty("url").GetString());
        Assert.Equal("pool-a", json.GetProperty("incident").GetProperty("assetGroup").GetProperty("label").GetString());
        Assert.Contains("&lt;b&gt;&amp;&lt;/b&gt;", slack, StringComparison.Ordinal);
        Assert.Contains("<https://pm.example/incidents/12|open>", slack, StringComparison.Ordinal);
    }
}
