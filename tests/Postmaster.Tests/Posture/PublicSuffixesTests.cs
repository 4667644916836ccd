using Microsoft.Extensions.Logging.Abstractions;
using Postmaster.Core.Posture;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Posture;

namespace Postmaster.Tests.Posture;

/// <summary>DMARC's organisational domain (RFC 7489 §3.2) by the Public Suffix List's rules.</summary>
public sealed class PublicSuffixesTests
{
    /// <summary>A few rules in the list's own format: plain, two-label, wildcard and exception rules, comments, a Unicode rule.</summary>
    public const string SampleList = """
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        // ck : https://en.wikipedia.org/wiki/.ck
        *.ck
        !www.ck
        jp
        *.kawasaki.jp
        !city.kawasaki.jp
        рф
        // ===BEGIN PRIVATE DOMAINS===
        github.io  trailing words are ignored
        """;

    public static PublicSuffixes Sample { get; } = PublicSuffixes.Parse(new StringReader(SampleList));

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("mail.news.example.com", "example.com")]
    [InlineData("mail.example.co.uk", "example.co.uk")]
    [InlineData("Example.CO.UK.", "example.co.uk")]
    [InlineData("shop.example.ck", "shop.example.ck")] // *.ck: example.ck is a suffix
    [InlineData("a.www.ck", "www.ck")] // !www.ck: www.ck is registrable
    [InlineData("a.b.kawasaki.jp", "a.b.kawasaki.jp")]
    [InlineData("x.city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("me.github.io", "me.github.io")]
    [InlineData("mail.xn--80aswg.xn--p1ai", "xn--80aswg.xn--p1ai")] // the рф rule, compared in its ASCII form
    [InlineData("mail.example.unlisted", "example.unlisted")] // no rule: the implicit "*"
    public void The_organisational_domain_is_the_public_suffix_and_one_label(string domain, string expected) =>
        Assert.Equal(expected, Sample.OrganisationalDomain(domain));

    [Theory]
    [InlineData("co.uk")]
    [InlineData("com")]
    [InlineData("example.ck")]
    [InlineData("a..example.com")]
    public void A_public_suffix_or_a_broken_name_has_none(string domain) => Assert.Null(Sample.OrganisationalDomain(domain));

    [Fact]
    public void Without_a_list_the_last_two_labels_are_taken()
    {
        Assert.Equal("co.uk", PublicSuffixes.LastTwoLabels.OrganisationalDomain("mail.example.co.uk"));
        Assert.False(PublicSuffixes.LastTwoLabels.FromList);
    }

    [Fact]
    public void A_missing_list_file_falls_back_to_the_last_two_labels()
    {
        var list = PostureSetup.LoadPublicSuffixes(Path.Combine(Path.GetTempPath(), $"no-such-list-{Guid.NewGuid():N}.dat"), NullLogger.Instance);

        Assert.False(list.FromList);
    }

    [Fact]
    public void The_systems_list_knows_the_two_label_suffixes()
    {
        var path = PostureOptions.DefaultPublicSuffixList;
        Requirement.Require(File.Exists(path) ? null : $"{path} is missing: apt-get install publicsuffix");

        var list = PostureSetup.LoadPublicSuffixes(path, NullLogger.Instance);

        Assert.True(list.FromList);
        Assert.Equal("example.co.uk", list.OrganisationalDomain("bounce.mail.example.co.uk"));
        Assert.Equal("example.com.au", list.OrganisationalDomain("mail.example.com.au"));
        Assert.Equal("example.com", list.OrganisationalDomain("mail.example.com"));
    }
}
