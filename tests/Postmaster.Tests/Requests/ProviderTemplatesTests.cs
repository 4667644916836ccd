using System.Net;
using System.Text.RegularExpressions;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Core.Signals;
using Postmaster.Tests.Infrastructure;
using Postmaster.Tests.Signals;

namespace Postmaster.Tests.Requests;

/// <summary>
/// The request templates that ship in the provider packs, each drafted for a typical incident of its
/// own provider: a listing of the operator's list, or a rejection with a real text from the pack's
/// examples.json. A draft must carry what that provider asks for: the IPs or domains, the rejection
/// word for word, where it goes (the form or the address, and the address the bounce printed), and
/// the reference when the provider printed one. And the best template must come first.
/// </summary>
public partial class ProviderTemplatesTests
{
    private static readonly ProviderRegistry Registry = new(ProviderPackTests.Packs);
    private static readonly string[] Slugs = [.. Registry.Packs.Select(p => p.Slug)];
    private static readonly RequestTemplateCatalog Catalog = RequestTemplateCatalog.Load(ProviderPackTests.Providers, Registry);
    private static readonly IReadOnlyList<ProviderExample> Examples = ProviderPackLoader.LoadExamples(ProviderPackTests.Providers);
    private static readonly BlocklistCatalog Lists = BlocklistCatalog.Load(RepoPaths.Catalog);
    private static readonly DateTimeOffset Opened = new(2026, 12, 5, 7, 30, 0, TimeSpan.Zero);
    private static readonly string[] Ips = ["192.0.2.10", "192.0.2.11"];

    /// <summary>Letters to the sender's own network provider: only the person knows that address.</summary>
    private static readonly string[] AddressedByThePerson = ["spamhaus/sbl-via-isp", "uceprotect/level2-3-via-isp"];

    /// <summary>Providers whose rejection prints a reference their support asks for (GMX r=, Mail.ru error code).</summary>
    private static readonly string[] AskForTheReference = ["gmx-webde", "mailru"];

    public static TheoryData<string> ShippedTemplates() =>
        [.. Catalog.All.Where(t => t.Provider != RequestTemplateCatalog.Fallback).Select(t => t.Id)];

    [Theory]
    [MemberData(nameof(ShippedTemplates))]
    public void Each_template_drafts_an_incident_of_its_provider_with_the_facts_that_provider_asks_for(string id)
    {
        var template = Catalog.Find(id)!;
        var (incident, rejection) = TypicalIncident(template);

        var draft = Draft(template, incident);
        var everything = string.Join('\n', new[] { draft.To, draft.FormUrl, draft.Subject, draft.Body }.Concat(draft.Fields.Select(f => f.Value)));

        foreach (var value in incident.Domains.Count > 0 ? incident.Domains : incident.Ips)
        {
            Assert.Contains(value, everything, StringComparison.Ordinal);
        }

        if (rejection is not null)
        {
            Assert.True(draft.Body.Contains(rejection, StringComparison.Ordinal) || draft.Fields.Any(f => f.Value.Contains(rejection, StringComparison.Ordinal)),
                $"{id}: the rejection is not quoted word for word: {rejection}");
        }

        if (template.Channel == RequestChannel.Email)
        {
            Assert.Empty(draft.Fields);
            Assert.False(string.IsNullOrWhiteSpace(draft.Subject));
            if (AddressedByThePerson.Contains(id))
            {
                Assert.Equal("", draft.To);
            }
            else
            {
                Assert.Matches(Address(), draft.To);
            }

            if (incident.ReplyAddress is { } printed && template.To!.Text.Contains("replyAddress", StringComparison.Ordinal))
            {
                Assert.Equal(printed, draft.To);
            }
        }
        else
        {
            Assert.Null(draft.To);
            Assert.StartsWith("http", draft.FormUrl, StringComparison.Ordinal);
            if (draft.Fields.Count > 0)
            {
                Assert.Contains(draft.Fields, f => f.Value.Contains(Ips[0], StringComparison.Ordinal));
            }
        }

        if (incident.Reference is { } reference && AskForTheReference.Contains(template.Provider))
        {
            Assert.True(draft.Fields.Any(f => f.Value == reference) || (draft.Subject?.Contains(reference, StringComparison.Ordinal) ?? false),
                $"{id}: the reference {reference} is not where the provider's support looks for it");
        }

        // The evidence headers start their own lines, whatever the conditions around them left out.
        foreach (var header in new[] { "Rejections, newest first:", "Listed:", "Refused:", "What we changed:" })
        {
            Assert.DoesNotMatch($"[^\\n]{Regex.Escape(header)}", draft.Body);
        }

        // Nothing the profile and the checks do not back: the stream is marketing only, SPF fails.
        Assert.DoesNotContain("transactional", draft.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SPF passes", draft.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("SPF: pass", draft.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_provider_the_issue_names_has_a_template()
    {
        string[] named = ["microsoft", "google", "yahoo", "t-online", "gmx-webde", "apple", "comcast", "att", "orange", "proofpoint",
            "cloudmark", "mimecast", "spamhaus", "barracuda", "spamcop", "uceprotect"];

        var without = named.Where(slug => !Catalog.All.Any(t => t.Provider == slug)).ToList();

        Assert.Empty(without);
    }

    public static TheoryData<string, string, string> TypicalIncidents() => new()
    {
        { "microsoft", "rejection microsoft-s3150", "microsoft/outlook-mitigation" },
        { "microsoft", "rejection microsoft-banned-sending-ip", "microsoft/m365-delist-portal" },
        { "microsoft", "rejection microsoft-banned-sender", "microsoft/m365-delist-email" },
        { "google", "rejection google-unsolicited-blocked", "google/sender-contact-form" },
        { "google", "rejection google-rate-limited", "google/postmaster-tools-checklist" },
        { "google", "rejection google-dmarc-reject", "google/postmaster-tools-checklist" },
        { "yahoo", "rejection yahoo-temporarily-deferred", "yahoo/deferral-wait" },
        { "yahoo", "rejection yahoo-permanently-deferred", "yahoo/sender-support" },
        { "t-online", "rejection t-online-nowl", "t-online/nowl-reset" },
        { "t-online", "rejection t-online-blocked", "t-online/bl-clarify" },
        { "spamhaus", "listing zen.spamhaus.org 127.0.0.2", "spamhaus/sbl-via-isp" },
        { "spamhaus", "listing zen.spamhaus.org 127.0.0.3", "spamhaus/xbl-css-removal" },
        { "spamhaus", "listing zen.spamhaus.org 127.0.0.4", "spamhaus/xbl-css-removal" },
        { "spamhaus", "listing zen.spamhaus.org 127.0.0.10", "spamhaus/pbl-removal" },
        { "spamhaus", "listing zen.dq.spamhaus.net 127.0.0.11", "spamhaus/pbl-removal" },
        { "spamhaus", "listing dbl.spamhaus.org 127.0.1.2", "spamhaus/dbl-removal" },
        { "spamhaus", "rejection spamhaus-zen", "spamhaus/xbl-css-removal" },
        { "spamhaus", "rejection spamhaus-sbl", "spamhaus/sbl-via-isp" },
        { "uceprotect", "listing dnsbl-1.uceprotect.net 127.0.0.2", "uceprotect/level1-expiry" },
        { "uceprotect", "listing dnsbl-3.uceprotect.net 127.0.0.2", "uceprotect/level2-3-via-isp" },
        { "uceprotect", "rejection uceprotect-listed", "uceprotect/level2-3-recipient" },
        { "spamcop", "listing bl.spamcop.net 127.0.0.2", "spamcop/wait-for-expiry" },
        { "barracuda", "listing b.barracudacentral.org 127.0.0.2", "barracuda/brbl-removal" },
    };

    [Theory]
    [MemberData(nameof(TypicalIncidents))]
    public void The_template_a_typical_incident_needs_is_offered_first(string provider, string incident, string best)
    {
        var parts = incident.Split(' ');
        var model = parts[0] == "listing"
            ? Listing(provider, Lists.Lists.Single(l => l.Zone == parts[1]), parts[2])
            : Rejection(provider, Examples.First(e => e.Rule == parts[1])).Incident;

        Assert.Equal(best, Catalog.For(model)[0].Template.Id);
    }

    private static RenderedRequest Draft(RequestTemplate template, RequestIncident incident)
    {
        var pack = Registry.Find(template.Provider)!;
        var remediation = pack.Remediation is { } r
            ? new RemediationFacts(r.Channel, r.Url ?? "", r.Email ?? "", r.Notes ?? "")
            : RemediationFacts.None;
        var model = new RequestModel(incident, Org, Posture, new SenderFacts("postmaster@example.com", "requests@example.com"),
            Opened.AddDays(1), "Closed the open relay on mail2 and rotated its SMTP credentials on 2026-12-05.", remediation);
        return RequestRenderer.Render(template, model, Slugs, ct: TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// An operator's listing when the template names the list or its return codes; otherwise (a
    /// receiver, a gateway, or an operator cited in someone's rejection) a rejection whose real text
    /// the template fits, from the provider's own examples.json.
    /// </summary>
    private static (RequestIncident Incident, string? Rejection) TypicalIncident(RequestTemplate template)
    {
        var a = template.AppliesTo;
        var lists = Lists.Lists.Where(l => l.Provider == template.Provider).ToList();
        if (Registry.Find(template.Provider)!.Role == ProviderRole.BlocklistOperator && lists.Count > 0 && (a.Zones.Count > 0 || a.Codes.Count > 0))
        {
            var list = lists.FirstOrDefault(l => a.Zones.Contains(l.Zone))
                ?? lists.First(l => a.Codes.Count == 0 || l.Codes.Keys.Any(c => a.Codes.Contains(c.ToString())));
            var code = a.Codes.FirstOrDefault(c => list.Codes.Keys.Any(k => k.ToString() == c))
                ?? list.Codes.Keys.Select(k => k.ToString()).FirstOrDefault() ?? "127.0.0.2";
            return (Listing(template.Provider, list, code), null);
        }

        var examples = Examples.Where(e => e.Pack == template.Provider).ToList();
        var example = examples.FirstOrDefault(e => Fits(a, e)) ?? examples.First(e => a.Kinds.Contains(e.ExpectKind.ToApi()));
        return Rejection(template.Provider, example);
    }

    private static bool Fits(TemplateAppliesTo a, ProviderExample e)
    {
        var text = e.Response.ToLowerInvariant();
        var codes = RejectionFacts.Codes(e.Response).ToList();
        return (a.Kinds.Count == 0 || a.Kinds.Contains(e.ExpectKind.ToApi()))
            && (a.TextContains.Count == 0 || a.TextContains.Any(t => text.Contains(t, StringComparison.Ordinal)))
            && (a.Codes.Count == 0 || a.Codes.Any(c => codes.Contains(c, StringComparer.OrdinalIgnoreCase)));
    }

    private static RequestIncident Listing(string provider, BlocklistDefinition list, string code)
    {
        var category = list.Codes.TryGetValue(IPAddress.Parse(code), out var meaning) ? meaning.Category : "listed";
        var values = list.Lists == ListedThing.Domain
            ? new[] { "example.com" }
            : Ips;
        return new RequestIncident(7, "https://postmaster.example.com/incidents/7", provider, Registry.NameOf(provider), "pool-a (192.0.2.8/29)", true,
            "open", "high", Opened, Opened.AddHours(2), values.Length, [],
            [.. values.Select(v => new RequestValue(v, list.Lists == ListedThing.Domain ? RequestValue.Domain : RequestValue.Ip, list.Zone, null,
                [code], [category], $"Listed, see {list.DelistUrl}", Opened, Opened.AddHours(2)))],
            [], null, null);
    }

    private static (RequestIncident Incident, string Rejection) Rejection(string provider, ProviderExample example)
    {
        var codes = RejectionFacts.Codes(example.Response).ToList();
        var pack = Registry.Find(example.Pack)!;
        var domain = example.RecipientDomain ?? (pack.RecipientDomains.Count > 0 ? pack.RecipientDomains[0] : "example.net");
        var incident = new RequestIncident(8, "https://postmaster.example.com/incidents/8", provider, Registry.NameOf(provider), "pool-a (192.0.2.8/29)", true,
            "open", "high", Opened, Opened.AddHours(3), Ips.Length, provider == example.Pack ? [] : [example.Pack],
            [.. Ips.Select(ip => new RequestValue(ip, RequestValue.Ip, null, example.Pack, codes, [example.ExpectKind.ToApi()], example.Response, Opened, Opened.AddHours(3)))],
            [
                new RequestSample(Opened.AddHours(3), Ips[0], domain, example.Mx, example.Response),
                new RequestSample(Opened.AddHours(1), Ips[1], domain, example.Mx, example.Response),
            ],
            RejectionFacts.ReplyAddress([example.Response]),
            RejectionFacts.Reference([example.Response]));
        return (incident, example.Response);
    }

    private static readonly OrganisationFacts Org = new(
        "Example Shop GmbH", "https://www.example.com", "https://www.example.com/impressum", "Jane Doe", "postmaster@example.com", "+49 30 1234567",
        "postmaster@example.com", "abuse@example.com", "Double opt-in: the address confirms a link before the first mailing.",
        "Hard bounces suppress the address at once.", "Complaints unsubscribe the address at once.", "Inactive for 12 months: no longer mailed.",
        [new MailStreamFacts("marketing", "weekly newsletter", 6000, Slugs.ToDictionary(s => s, _ => 500L))],
        []);

    private static readonly PostureFacts Posture = new(
    [
        new PostureCheck(Ips[0], "ptr", PostureFacts.Pass, "mail1.example.com"),
        new PostureCheck(Ips[0], "fcrdns", PostureFacts.Pass, "mail1.example.com"),
        new PostureCheck(Ips[1], "ptr", PostureFacts.Pass, "mail2.example.com"),
        new PostureCheck(Ips[1], "fcrdns", PostureFacts.Pass, "mail2.example.com"),
        new PostureCheck("example.com", "spf", PostureFacts.Fail, "softfail for 192.0.2.11"),
        new PostureCheck("example.com", "dmarc", PostureFacts.Pass, "v=DMARC1; p=quarantine"),
    ]);

    [GeneratedRegex(@"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex Address();
}
