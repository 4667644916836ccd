using System.Net;
using System.Security.Cryptography;
using Postmaster.Core.Assets;
using Postmaster.Core.Posture;
using Postmaster.Core.Posture.Spf;

namespace Postmaster.Tests.Posture;

/// <summary>The checklist's rules, against DNS answers from a table: every non-pass says what to do, and nothing unknown passes.</summary>
public sealed class PostureChecksTests
{
    private static readonly WebsiteProbe Probe = new(new WebsiteProbeOptions());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<IReadOnlyList<PostureCheck>> AddressAsync(DnsTable dns, string ip = "192.0.2.10", string[]? helo = null, string[]? domains = null)
    {
        var subject = new PostureSubject(AssetKind.Ip, ip, [IPAddress.Parse(ip)], 1, helo ?? [], domains ?? [], domains?.Length ?? 0, [], 0, []);
        return (await new PostureAssessor(dns, Probe, checkWebsites: false, PublicSuffixesTests.Sample).AssessAsync(subject, Ct)).Checks;
    }

    private static async Task<IReadOnlyList<PostureCheck>> DomainAsync(DnsTable dns, string domain = "example.com", string[]? selectors = null, string[]? ips = null)
    {
        var addresses = (ips ?? []).Select(IPAddress.Parse).ToList();
        var subject = new PostureSubject(AssetKind.Domain, domain, [], 0, [], [], 0, addresses, addresses.Count, selectors ?? []);
        return (await new PostureAssessor(dns, Probe, checkWebsites: false, PublicSuffixesTests.Sample).AssessAsync(subject, Ct)).Checks;
    }

    private static PostureCheck Named(IReadOnlyList<PostureCheck> checks, string name) => Assert.Single(checks, c => c.Name == name);

    private static DnsTable Confirmed() => new DnsTable().Ptr("192.0.2.10", "mail.example.com").A("mail.example.com", "192.0.2.10");

    [Fact]
    public async Task An_address_gets_the_address_checks_in_contract_order()
    {
        var checks = await AddressAsync(Confirmed(), helo: ["mail.example.com"]);

        Assert.Equal(["ptr", "fcrdns", "helo", "website", "spf"], checks.Select(c => c.Name));
        Assert.Equal(PostureStatus.Pass, Named(checks, "ptr").Status);
        Assert.Equal(PostureStatus.Pass, Named(checks, "fcrdns").Status);
        Assert.Equal(PostureStatus.Pass, Named(checks, "helo").Status);
    }

    [Fact]
    public async Task Every_check_that_does_not_pass_says_what_to_do()
    {
        var checks = (await AddressAsync(new DnsTable(), domains: ["example.com"])).Concat(await DomainAsync(new DnsTable().Txt("example.com", "x"))).ToList();

        Assert.All(checks.Where(c => c.Status != PostureStatus.Pass), c => Assert.False(string.IsNullOrWhiteSpace(c.Fix), $"{c.Name} has no fix"));
        Assert.All(checks.Where(c => c.Status == PostureStatus.Pass), c => Assert.Null(c.Fix));
    }

    [Fact]
    public async Task No_ptr_fails_ptr_fcrdns_and_helo()
    {
        var checks = await AddressAsync(new DnsTable(), helo: ["mail.example.com"]);

        Assert.Equal(PostureStatus.Fail, Named(checks, "ptr").Status);
        Assert.Equal(PostureStatus.Fail, Named(checks, "fcrdns").Status);
        Assert.Equal(PostureStatus.Fail, Named(checks, "helo").Status);
        Assert.Contains("hosting provider", Named(checks, "ptr").Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ptr_name_that_resolves_elsewhere_does_not_confirm()
    {
        var dns = new DnsTable().Ptr("192.0.2.10", "mail.example.com").A("mail.example.com", "198.51.100.7");

        var fcrdns = Named(await AddressAsync(dns), "fcrdns");

        Assert.Equal(PostureStatus.Fail, fcrdns.Status);
        Assert.Contains("198.51.100.7, not 192.0.2.10", fcrdns.Detail, StringComparison.Ordinal);
        Assert.Contains("A record mail.example.com → 192.0.2.10", fcrdns.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.2.0.192.dyn.isp.example", true)]
    [InlineData("192-0-2-10.static.isp.example", true)]
    [InlineData("c000020a.isp.example", true)]
    [InlineData("dsl-pool.isp.example", true)]
    [InlineData("mail.example.com", false)]
    [InlineData("mx10.example.com", false)]
    public void Generic_ptr_names_are_recognised(string name, bool generic) =>
        Assert.Equal(generic, AddressPosture.LooksGeneric(name, IPAddress.Parse("192.0.2.10")));

    [Fact]
    public async Task Helo_is_unknown_without_helo_names_and_warns_on_a_mismatch()
    {
        Assert.Equal(PostureStatus.Unknown, Named(await AddressAsync(Confirmed()), "helo").Status);

        var mismatch = Named(await AddressAsync(Confirmed(), helo: ["mta1.example.com"]), "helo");
        Assert.Equal(PostureStatus.Warn, mismatch.Status);
        Assert.Contains("mta1.example.com", mismatch.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dns_timeout_is_unknown_in_every_check_it_touches()
    {
        var dns = new DnsTable().Failing("192.0.2.10").Failing("example.com").Failing("_dmarc.example.com")
            .Failing("_mta-sts.example.com").Failing("selector1._domainkey.example.com");

        var checks = (await AddressAsync(dns, helo: ["mail.example.com"], domains: ["example.com"]))
            .Concat(await DomainAsync(dns, selectors: ["selector1"], ips: ["192.0.2.10"]));

        Assert.All(checks, c => Assert.Equal(PostureStatus.Unknown, c.Status));
    }

    [Fact]
    public async Task The_website_check_is_unknown_while_website_checks_are_off()
    {
        var website = Named(await AddressAsync(Confirmed()), "website");

        Assert.Equal(PostureStatus.Unknown, website.Status);
        Assert.Contains("Postmaster:Posture:CheckWebsites", website.Detail, StringComparison.Ordinal);
        Assert.Contains("https://example.com/", website.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_website_passes_only_with_an_imprint()
    {
        var site = new Uri("https://example.com/");
        Assert.Equal(PostureStatus.Pass, WebsiteCheck.Judge("example.com", new WebsiteAnswer(site, 200, "<a href=/impressum>Impressum</a>", null)).Status);
        Assert.Equal(PostureStatus.Warn, WebsiteCheck.Judge("example.com", new WebsiteAnswer(site, 200, "<h1>Welcome</h1>", null)).Status);
        Assert.Equal(PostureStatus.Fail, WebsiteCheck.Judge("example.com", new WebsiteAnswer(site, 404, "", "HTTP 404")).Status);
        Assert.Equal(PostureStatus.Unknown, WebsiteCheck.Judge("example.com", new WebsiteAnswer(site, null, null, "no answer", DnsFailed: true)).Status);
    }

    [Theory]
    [InlineData(null, PostureStatus.Fail)]
    [InlineData("v=DMARC1; p=none; rua=mailto:d@example.com", PostureStatus.Warn)]
    [InlineData("v=DMARC1; p=quarantine; pct=50", PostureStatus.Warn)]
    [InlineData("v=DMARC1; p=reject; rua=mailto:d@example.com", PostureStatus.Pass)]
    [InlineData("v=DMARC1; p=discard", PostureStatus.Fail)]
    [InlineData("v=DMARC1", PostureStatus.Fail)]
    public async Task Dmarc_wants_a_record_with_an_enforcing_policy(string? record, PostureStatus expected)
    {
        var dns = new DnsTable();
        if (record is not null)
        {
            dns.Txt("_dmarc.example.com", record);
        }

        Assert.Equal(expected, Named(await DomainAsync(dns), "dmarc").Status);
    }

    [Fact]
    public async Task A_subdomain_inherits_the_organisational_domains_dmarc_subdomain_policy()
    {
        var dns = new DnsTable().Txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=none");

        var dmarc = Named(await DomainAsync(dns, "news.example.com"), "dmarc");

        Assert.Equal(PostureStatus.Warn, dmarc.Status);
        Assert.Contains("inherited from _dmarc.example.com", dmarc.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_a_two_label_suffix_the_policy_is_inherited_from_the_organisational_domain_never_the_suffix()
    {
        var dns = new DnsTable()
            .Txt("_dmarc.co.uk", "v=DMARC1; p=reject")
            .Txt("_dmarc.example.co.uk", "v=DMARC1; p=none; rua=mailto:d@example.co.uk");

        var dmarc = Named(await DomainAsync(dns, "mail.example.co.uk"), "dmarc");

        Assert.Equal(PostureStatus.Warn, dmarc.Status);
        Assert.Contains("inherited from _dmarc.example.co.uk", dmarc.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dkim_judges_key_size_and_type()
    {
        var dns = new DnsTable()
            .Txt("small._domainkey.example.com", $"v=DKIM1; k=rsa; p={RsaKey(512)}")
            .Txt("old._domainkey.example.com", $"v=DKIM1; k=rsa; p={RsaKey(1024)}")
            .Txt("good._domainkey.example.com", $"v=DKIM1; k=rsa; p={RsaKey(2048)}")
            .Txt("ed._domainkey.example.com", $"v=DKIM1; k=ed25519; p={Convert.ToBase64String(new byte[32])}")
            .Txt("gone._domainkey.example.com", "v=DKIM1; p=");

        var small = Named(await DomainAsync(dns, selectors: ["good", "small"]), "dkim");
        Assert.Equal(PostureStatus.Fail, small.Status);
        Assert.Contains("RSA 512-bit", small.Detail, StringComparison.Ordinal);
        Assert.Contains("2048-bit", small.Fix, StringComparison.Ordinal);

        Assert.Equal(PostureStatus.Warn, Named(await DomainAsync(dns, selectors: ["old"]), "dkim").Status);
        Assert.Equal(PostureStatus.Pass, Named(await DomainAsync(dns, selectors: ["good", "ed"]), "dkim").Status);
        Assert.Equal(PostureStatus.Warn, Named(await DomainAsync(dns, selectors: ["ed"]), "dkim").Status);
        Assert.Equal(PostureStatus.Fail, Named(await DomainAsync(dns, selectors: ["gone"]), "dkim").Status);
        Assert.Equal(PostureStatus.Fail, Named(await DomainAsync(dns, selectors: ["missing"]), "dkim").Status);
    }

    [Fact]
    public async Task Dkim_without_selectors_tries_common_ones_and_never_passes_on_a_guess()
    {
        var found = Named(await DomainAsync(new DnsTable().Txt("google._domainkey.example.com", $"v=DKIM1; k=rsa; p={RsaKey(2048)}")), "dkim");
        var none = Named(await DomainAsync(new DnsTable().Txt("example.com", "v=spf1 -all")), "dkim");

        Assert.Equal(PostureStatus.Warn, found.Status);
        Assert.Contains("google: RSA 2048-bit", found.Detail, StringComparison.Ordinal);
        Assert.Equal(PostureStatus.Unknown, none.Status);
    }

    [Fact]
    public async Task Mx_fails_for_a_null_mx_and_warns_without_one()
    {
        var dns = new DnsTable()
            .Mx("example.com", 0, "")
            .A("example.org", "198.51.100.1")
            .Mx("example.net", 10, "mx.example.net").A("mx.example.net", "198.51.100.2");

        Assert.Equal(PostureStatus.Fail, Named(await DomainAsync(dns, "example.com"), "mx").Status);
        Assert.Equal(PostureStatus.Warn, Named(await DomainAsync(dns, "example.org"), "mx").Status);
        Assert.Equal(PostureStatus.Pass, Named(await DomainAsync(dns, "example.net"), "mx").Status);
    }

    [Fact]
    public async Task Mta_sts_warns_when_missing_and_is_unknown_when_the_policy_is_not_fetched()
    {
        var dns = new DnsTable().Txt("_mta-sts.example.org", "v=STSv1; id=20250101").Txt("example.com", "v=spf1 -all");

        Assert.Equal(PostureStatus.Warn, Named(await DomainAsync(dns, "example.com"), "mta-sts").Status);
        var announced = Named(await DomainAsync(dns, "example.org"), "mta-sts");
        Assert.Equal(PostureStatus.Unknown, announced.Status);
        Assert.Contains("id=20250101", announced.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Mta_sts_policy_patterns_cover_one_label()
    {
        var (policy, _) = MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmx: *.example.net\nmx: mail.example.com\nmax_age: 86400\n");

        Assert.NotNull(policy);
        Assert.True(policy.Covers("mx1.example.net"));
        Assert.False(policy.Covers("a.b.example.net"));
        Assert.True(policy.Covers("mail.example.com."));
    }

    [Fact]
    public async Task Spf_of_a_domain_names_the_addresses_it_does_not_authorise()
    {
        var dns = new DnsTable().Txt("example.com", "v=spf1 ip4:192.0.2.0/28 ~all");

        var spf = Named(await DomainAsync(dns, ips: ["192.0.2.10", "198.51.100.7"]), "spf");

        Assert.Equal(PostureStatus.Warn, spf.Status);
        Assert.Contains("softfail for 198.51.100.7", spf.Detail, StringComparison.Ordinal);
        Assert.Contains("pass for 192.0.2.10", spf.Detail, StringComparison.Ordinal);
        Assert.Contains("ip4:198.51.100.7", spf.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spf_without_a_sending_address_is_never_a_pass()
    {
        var spf = Named(await DomainAsync(new DnsTable().Txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all")), "spf");
        var missing = Named(await DomainAsync(new DnsTable().A("example.com", "192.0.2.1")), "spf");

        Assert.Equal(PostureStatus.Unknown, spf.Status);
        Assert.Equal(PostureStatus.Fail, missing.Status);
        Assert.Contains("v=spf1", missing.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_check_says_how_many_addresses_were_checked()
    {
        var results = new List<(IPAddress, PostureCheck)>
        {
            (IPAddress.Parse("192.0.2.0"), PostureCheck.Pass("ptr", "192.0.2.0 → a.example.com.")),
            (IPAddress.Parse("192.0.2.17"), PostureCheck.Fail("ptr", "192.0.2.17 has no PTR record.", "Ask for one.")),
        };

        var check = AddressPosture.Combine("ptr", results, 65536);

        Assert.Equal(PostureStatus.Fail, check.Status);
        Assert.Contains("1 of 2 pass (2 of the 65,536 addresses checked", check.Detail, StringComparison.Ordinal);
        Assert.Equal("Ask for one.", check.Fix);
    }

    [Fact]
    public void A_range_sample_is_spread_from_first_to_last_address()
    {
        var range = new AssetValue(AssetKind.Range, "198.51.100.0/24");

        var sample = PostureAssessor.Sample(range, 4);

        Assert.Equal(["198.51.100.0", "198.51.100.85", "198.51.100.170", "198.51.100.255"], sample.Select(a => a.ToString()));
        Assert.Equal(16, PostureAssessor.Sample(new AssetValue(AssetKind.Range, "198.51.100.0/28"), 64).Count);
    }

    [Fact]
    public void Spf_outcomes_map_to_statuses()
    {
        Assert.Equal(PostureStatus.Pass, SpfCheck.StatusOf(SpfOutcome.Pass));
        Assert.Equal(PostureStatus.Warn, SpfCheck.StatusOf(SpfOutcome.SoftFail));
        Assert.Equal(PostureStatus.Warn, SpfCheck.StatusOf(SpfOutcome.Neutral));
        Assert.Equal(PostureStatus.Fail, SpfCheck.StatusOf(SpfOutcome.Fail));
        Assert.Equal(PostureStatus.Fail, SpfCheck.StatusOf(SpfOutcome.None));
        Assert.Equal(PostureStatus.Fail, SpfCheck.StatusOf(SpfOutcome.PermError));
        Assert.Equal(PostureStatus.Unknown, SpfCheck.StatusOf(SpfOutcome.TempError));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Keys = new();

    /// <summary>A public key of that size, made once per run (a 2048-bit key takes a while to generate).</summary>
    internal static string RsaKey(int bits) => Keys.GetOrAdd(bits, b =>
    {
        using var rsa = RSA.Create(b);
        return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
    });
}
