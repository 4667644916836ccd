using System.Net;
using Postmaster.Core.Assets;
using Postmaster.Core.Posture;
using Postmaster.Core.Posture.Spf;

namespace Postmaster.Tests.Posture;

/// <summary>SPF and the posture checks through DnsClient against a real DNS server (dnsmasq) on loopback.</summary>
public sealed class PostureDnsTests(PostureDnsFixture fixture) : IClassFixture<PostureDnsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<SpfResult> SpfAsync(string domain, string ip = "192.0.2.10") =>
        await new SpfEvaluator(fixture.NewSession()).CheckHostAsync(IPAddress.Parse(ip), domain, null, Ct);

    private async Task<IReadOnlyList<PostureCheck>> AssessAsync(PostureSubject subject) =>
        (await new PostureAssessor(fixture.NewSession(), new WebsiteProbe(new WebsiteProbeOptions()), checkWebsites: false, PublicSuffixesTests.Sample).AssessAsync(subject, Ct)).Checks;

    private static PostureSubject Domain(string domain, string[]? selectors = null, params string[] ips) =>
        new(AssetKind.Domain, domain, [], 0, [], [], 0, [.. ips.Select(IPAddress.Parse)], ips.Length, selectors ?? []);

    private static PostureSubject Address(string ip, params string[] domains) =>
        new(AssetKind.Ip, ip, [IPAddress.Parse(ip)], 1, ["mail.example.test"], domains, domains.Length, [], 0, []);

    private static PostureCheck Named(IReadOnlyList<PostureCheck> checks, string name) => Assert.Single(checks, c => c.Name == name);

    [Fact]
    public async Task An_include_chain_passes_an_address_its_last_include_lists()
    {
        var result = await SpfAsync("example.test");

        Assert.Equal(SpfOutcome.Pass, result.Outcome);
        Assert.Contains("ip4:192.0.2.0/28 in _net.example.test", result.Reason, StringComparison.Ordinal);
        Assert.Equal(2, result.Lookups);
        Assert.Equal(SpfOutcome.Fail, (await SpfAsync("example.test", "192.0.2.20")).Outcome);
    }

    [Fact]
    public async Task A_redirect_hands_over_to_the_other_domains_record()
    {
        var result = await SpfAsync("redirect.example.test");

        Assert.Equal(SpfOutcome.Pass, result.Outcome);
        Assert.Contains("by redirect from redirect.example.test", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eleven_includes_are_a_permerror()
    {
        var result = await SpfAsync("limit.example.test");

        Assert.Equal(SpfOutcome.PermError, result.Outcome);
        Assert.Equal(SpfProblem.TooManyLookups, result.Problem);
    }

    [Fact]
    public async Task Three_lookups_that_find_nothing_are_a_permerror()
    {
        var result = await SpfAsync("void.example.test");

        Assert.Equal(SpfOutcome.PermError, result.Outcome);
        Assert.Equal(SpfProblem.TooManyVoidLookups, result.Problem);
    }

    [Theory]
    [InlineData("soft.example.test", SpfOutcome.SoftFail, PostureStatus.Warn)]
    [InlineData("hard.example.test", SpfOutcome.Fail, PostureStatus.Fail)]
    [InlineData("neutral.example.test", SpfOutcome.Neutral, PostureStatus.Warn)]
    [InlineData("nothing.example.test", SpfOutcome.None, PostureStatus.Fail)]
    public async Task Softfail_fail_neutral_and_none_come_through_as_published(string domain, SpfOutcome outcome, PostureStatus status)
    {
        Assert.Equal(outcome, (await SpfAsync(domain)).Outcome);
        Assert.Equal(status, Named(await AssessAsync(Domain(domain, null, "192.0.2.10")), "spf").Status);
    }

    [Fact]
    public async Task A_ptr_that_resolves_elsewhere_fails_fcrdns_and_one_that_confirms_passes()
    {
        var other = await AssessAsync(Address("192.0.2.20"));
        var mail = await AssessAsync(Address("192.0.2.10", "example.test"));
        var none = await AssessAsync(Address("192.0.2.30"));

        Assert.Equal(PostureStatus.Pass, Named(other, "ptr").Status);
        Assert.Equal(PostureStatus.Fail, Named(other, "fcrdns").Status);
        Assert.Contains("other.example.test resolves to 198.51.100.7, not 192.0.2.20", Named(other, "fcrdns").Detail, StringComparison.Ordinal);
        Assert.Equal(PostureStatus.Warn, Named(other, "helo").Status);

        Assert.All(mail.Where(c => c.Name is "ptr" or "fcrdns" or "helo" or "spf"), c => Assert.Equal(PostureStatus.Pass, c.Status));
        Assert.Equal(PostureStatus.Fail, Named(none, "ptr").Status);
    }

    [Fact]
    public async Task A_domain_without_dmarc_fails_and_one_with_p_reject_passes()
    {
        Assert.Equal(PostureStatus.Fail, Named(await AssessAsync(Domain("nodmarc.test")), "dmarc").Status);
        Assert.Equal(PostureStatus.Pass, Named(await AssessAsync(Domain("example.test")), "dmarc").Status);
    }

    [Fact]
    public async Task A_512_bit_dkim_key_fails_and_a_2048_bit_key_in_two_strings_passes()
    {
        var small = Named(await AssessAsync(Domain("example.test", ["small"])), "dkim");
        var good = Named(await AssessAsync(Domain("example.test", ["good"])), "dkim");

        Assert.Equal(PostureStatus.Fail, small.Status);
        Assert.Contains("RSA 512-bit", small.Detail, StringComparison.Ordinal);
        Assert.Equal(PostureStatus.Pass, good.Status);
        Assert.Contains("RSA 2048-bit", good.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_mx_of_example_test_resolves()
    {
        var mx = Named(await AssessAsync(Domain("example.test")), "mx");

        Assert.Equal(PostureStatus.Pass, mx.Status);
        Assert.Contains("10 mail.example.test", mx.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_is_unknown_never_pass_or_fail()
    {
        var spf = await SpfAsync("slowinc.example.test");
        var checks = await AssessAsync(Domain("mail.slow.test", ["s1"], "192.0.2.10"));
        var included = Named(await AssessAsync(Domain("slowinc.example.test", null, "192.0.2.10")), "spf");

        Assert.Equal(SpfOutcome.TempError, spf.Outcome);
        Assert.Contains("timed out", spf.Reason, StringComparison.Ordinal);
        Assert.Equal(PostureStatus.Unknown, included.Status);
        Assert.All(checks, c => Assert.Equal(PostureStatus.Unknown, c.Status));
        Assert.All(checks, c => Assert.False(string.IsNullOrEmpty(c.Fix)));
    }
}
