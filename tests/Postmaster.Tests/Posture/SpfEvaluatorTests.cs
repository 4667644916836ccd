using System.Net;
using Postmaster.Core.Posture.Spf;

namespace Postmaster.Tests.Posture;

/// <summary>check_host() as RFC 7208 describes it, against DNS answers from a table.</summary>
public sealed class SpfEvaluatorTests
{
    private static readonly IPAddress Sender = IPAddress.Parse("192.0.2.10");

    private static async Task<SpfResult> CheckAsync(DnsTable dns, string domain = "example.com", IPAddress? ip = null) =>
        await new SpfEvaluator(dns).CheckHostAsync(ip ?? Sender, domain, helo: null, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("v=spf1 ip4:192.0.2.0/24 -all", SpfOutcome.Pass)]
    [InlineData("v=spf1 ip4:198.51.100.1 -all", SpfOutcome.Fail)]
    [InlineData("v=spf1 ip4:198.51.100.1 ~all", SpfOutcome.SoftFail)]
    [InlineData("v=spf1 ip4:198.51.100.1 ?all", SpfOutcome.Neutral)]
    [InlineData("v=spf1 ip4:198.51.100.1", SpfOutcome.Neutral)]
    [InlineData("v=spf1 -ip4:192.0.2.10 +all", SpfOutcome.Fail)]
    [InlineData("V=SPF1 IP4:192.0.2.10 -ALL", SpfOutcome.Pass)]
    [InlineData("v=spf1 ip6:2001:db8::/32 -all", SpfOutcome.Fail)]
    public async Task The_first_matching_mechanism_decides_with_its_qualifier(string record, SpfOutcome expected)
    {
        var result = await CheckAsync(new DnsTable().Txt("example.com", record));

        Assert.Equal(expected, result.Outcome);
    }

    [Fact]
    public async Task No_record_is_none_and_two_records_are_permerror()
    {
        Assert.Equal(SpfOutcome.None, (await CheckAsync(new DnsTable().Txt("example.com", "google-site-verification=abc"))).Outcome);
        Assert.Equal(SpfOutcome.None, (await CheckAsync(new DnsTable())).Outcome);
        Assert.Equal(SpfOutcome.None, (await CheckAsync(new DnsTable().Txt("example.com", "v=spf10 -all"))).Outcome);

        var two = await CheckAsync(new DnsTable().Txt("example.com", "v=spf1 -all", "v=spf1 +all"));
        Assert.Equal(SpfOutcome.PermError, two.Outcome);
        Assert.Equal(SpfProblem.MultipleRecords, two.Problem);
    }

    [Theory]
    [InlineData("v=spf1 foo:bar -all")]
    [InlineData("v=spf1 include -all")]
    [InlineData("v=spf1 ip4:192.0.2.300 -all")]
    [InlineData("v=spf1 ip4:192.0.2.0/33 -all")]
    [InlineData("v=spf1 ip4:192.0.2.0/024 -all")]
    [InlineData("v=spf1 a:localhost -all")]
    [InlineData("v=spf1 redirect=a.example.com redirect=b.example.com")]
    [InlineData("v=spf1 exists:%{z}.example.com -all")]
    [InlineData("v=spf1 exists:%{d0}.example.com -all")]
    [InlineData("v=spf1 include:%{d.example.com -all")]
    [InlineData("v=spf1 -all ip4:192.0.2.10 bad!")]
    public async Task A_syntax_error_anywhere_is_permerror_even_after_a_match(string record)
    {
        var result = await CheckAsync(new DnsTable().Txt("example.com", record));

        Assert.Equal(SpfOutcome.PermError, result.Outcome);
        Assert.Equal(SpfProblem.Syntax, result.Problem);
    }

    [Fact]
    public async Task Unknown_modifiers_are_ignored()
    {
        var result = await CheckAsync(new DnsTable().Txt("example.com", "v=spf1 moo=cow ip4:192.0.2.10 -all"));

        Assert.Equal(SpfOutcome.Pass, result.Outcome);
    }

    [Fact]
    public async Task An_include_chain_passes_through_and_a_failing_include_does_not_match()
    {
        var dns = new DnsTable()
            .Txt("example.com", "v=spf1 include:_spf.example.com include:esp.example.net -all")
            .Txt("_spf.example.com", "v=spf1 ip4:198.51.100.0/24 -all")
            .Txt("esp.example.net", "v=spf1 include:_netblocks.esp.example.net ~all")
            .Txt("_netblocks.esp.example.net", "v=spf1 ip4:192.0.2.0/25 ~all");

        var result = await CheckAsync(dns);

        Assert.Equal(SpfOutcome.Pass, result.Outcome);
        Assert.Contains("ip4:192.0.2.0/25 in _netblocks.esp.example.net", result.Reason, StringComparison.Ordinal);
        Assert.Equal(3, result.Lookups);

        var outside = await CheckAsync(dns, ip: IPAddress.Parse("203.0.113.5"));
        Assert.Equal(SpfOutcome.Fail, outside.Outcome); // the includes' ~all only means "no match" here
    }

    [Fact]
    public async Task An_include_of_a_domain_without_a_record_is_permerror()
    {
        var result = await CheckAsync(new DnsTable().Txt("example.com", "v=spf1 include:gone.example.net ip4:192.0.2.10 -all"));

        Assert.Equal(SpfOutcome.PermError, result.Outcome);
        Assert.Equal(SpfProblem.IncludeWithoutRecord, result.Problem);
    }

    [Fact]
    public async Task A_redirect_hands_over_when_nothing_matched_and_is_ignored_beside_all()
    {
        var dns = new DnsTable()
            .Txt("example.com", "v=spf1 ip4:198.51.100.1 redirect=_spf.example.net")
            .Txt("_spf.example.net", "v=spf1 ip4:192.0.2.0/24 -all")
            .Txt("example.org", "v=spf1 ?all redirect=_spf.example.net")
            .Txt("example.info", "v=spf1 redirect=nothing.example.net");

        Assert.Equal(SpfOutcome.Pass, (await CheckAsync(dns)).Outcome);
        Assert.Equal(SpfOutcome.Neutral, (await CheckAsync(dns, "example.org")).Outcome);
        var dangling = await CheckAsync(dns, "example.info");
        Assert.Equal(SpfOutcome.PermError, dangling.Outcome);
        Assert.Equal(SpfProblem.IncludeWithoutRecord, dangling.Problem);
    }

    [Fact]
    public async Task The_eleventh_dns_querying_term_is_permerror()
    {
        var dns = new DnsTable();
        var includes = string.Join(' ', Enumerable.Range(1, 11).Select(i => $"include:i{i}.example.com"));
        dns.Txt("example.com", $"v=spf1 {includes} ip4:192.0.2.10 -all");
        for (var i = 1; i <= 11; i++)
        {
            dns.Txt($"i{i}.example.com", "v=spf1 -all");
        }

        var result = await CheckAsync(dns);

        Assert.Equal(SpfOutcome.PermError, result.Outcome);
        Assert.Equal(SpfProblem.TooManyLookups, result.Problem);
        Assert.Equal(11, result.Lookups);
    }

    [Fact]
    public async Task Ten_lookups_are_allowed_and_ip4_costs_none()
    {
        var dns = new DnsTable();
        var includes = string.Join(' ', Enumerable.Range(1, 10).Select(i => $"include:i{i}.example.com"));
        dns.Txt("example.com", $"v=spf1 {includes} ip4:192.0.2.10 -all");
        for (var i = 1; i <= 10; i++)
        {
            dns.Txt($"i{i}.example.com", "v=spf1 ip4:198.51.100.1 -all");
        }

        Assert.Equal(SpfOutcome.Pass, (await CheckAsync(dns)).Outcome);
    }

    [Fact]
    public async Task A_third_void_lookup_is_permerror()
    {
        var dns = new DnsTable()
            .Txt("example.com", "v=spf1 a:nx1.example.com a:nx2.example.com ip4:192.0.2.10 -all")
            .Txt("example.org", "v=spf1 a:nx1.example.com a:nx2.example.com mx:nx3.example.com ip4:192.0.2.10 -all");

        Assert.Equal(SpfOutcome.Pass, (await CheckAsync(dns)).Outcome);
        var result = await CheckAsync(dns, "example.org");
        Assert.Equal(SpfOutcome.PermError, result.Outcome);
        Assert.Equal(SpfProblem.TooManyVoidLookups, result.Problem);
        Assert.Contains("nx3.example.com", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_and_mx_compare_addresses_with_their_prefix_lengths()
    {
        var dns = new DnsTable()
            .Txt("example.com", "v=spf1 a mx:example.net/28 -all")
            .A("example.com", "198.51.100.7")
            .Mx("example.net", 10, "mx1.example.net")
            .A("mx1.example.net", "192.0.2.1");

        var result = await CheckAsync(dns);

        Assert.Equal(SpfOutcome.Pass, result.Outcome);
        Assert.Contains("mx:example.net/28", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_mx_with_more_than_ten_hosts_is_permerror()
    {
        var dns = new DnsTable().Txt("example.com", "v=spf1 mx -all");
        for (var i = 1; i <= 11; i++)
        {
            dns.Mx("example.com", i, $"mx{i}.example.com").A($"mx{i}.example.com", $"198.51.100.{i}");
        }

        var result = await CheckAsync(dns);

        Assert.Equal(SpfOutcome.PermError, result.Outcome);
        Assert.Equal(SpfProblem.TooManyMxRecords, result.Problem);
    }

    [Fact]
    public async Task Exists_expands_macros_into_the_name_it_asks()
    {
        var dns = new DnsTable()
            .Txt("example.com", "v=spf1 exists:%{ir}.%{l1r-}.allow.%{d} -all")
            .A("10.2.0.192.postmaster.allow.example.com", "127.0.0.2");

        Assert.Equal(SpfOutcome.Pass, (await CheckAsync(dns)).Outcome);
    }

    [Fact]
    public async Task Ptr_matches_a_confirmed_name_under_the_domain()
    {
        var dns = new DnsTable()
            .Txt("example.com", "v=spf1 ptr -all")
            .Ptr("192.0.2.10", "mail.example.com")
            .A("mail.example.com", "192.0.2.10")
            .Ptr("192.0.2.11", "other.example.com")
            .A("other.example.com", "198.51.100.1");

        Assert.Equal(SpfOutcome.Pass, (await CheckAsync(dns)).Outcome);
        Assert.Equal(SpfOutcome.Fail, (await CheckAsync(dns, ip: IPAddress.Parse("192.0.2.11"))).Outcome);
    }

    [Fact]
    public async Task A_dns_failure_is_temperror_never_a_result()
    {
        var dns = new DnsTable()
            .Txt("example.com", "v=spf1 include:slow.example.net -all")
            .Failing("slow.example.net")
            .Failing("example.org");

        Assert.Equal(SpfOutcome.TempError, (await CheckAsync(dns)).Outcome);
        Assert.Equal(SpfOutcome.TempError, (await CheckAsync(dns, "example.org")).Outcome);
    }

    [Fact]
    public async Task Ipv6_senders_are_compared_with_ip6_and_aaaa_only()
    {
        var dns = new DnsTable()
            .Txt("example.com", "v=spf1 ip4:192.0.2.0/24 a:mail.example.com//64 -all")
            .A("mail.example.com", "2001:db8:1:2::25");

        Assert.Equal(SpfOutcome.Pass, (await CheckAsync(dns, ip: IPAddress.Parse("2001:db8:1:2::99"))).Outcome);
        Assert.Equal(SpfOutcome.Fail, (await CheckAsync(dns, ip: IPAddress.Parse("2001:db8:1:3::99"))).Outcome);
    }
}
