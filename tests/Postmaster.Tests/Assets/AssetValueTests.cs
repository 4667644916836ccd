using Postmaster.Core.Assets;

namespace Postmaster.Tests.Assets;

public class AssetValueTests
{
    [Theory]
    [InlineData("203.0.113.7", AssetKind.Ip, "203.0.113.7")]
    [InlineData(" 198.51.100.1 ", AssetKind.Ip, "198.51.100.1")]
    [InlineData("2001:DB8:0:0::25", AssetKind.Ip, "2001:db8::25")]
    [InlineData("2001:db8::25/128", AssetKind.Ip, "2001:db8::25")]
    [InlineData("203.0.113.0/28", AssetKind.Range, "203.0.113.0/28")]
    [InlineData("198.51.0.0/16", AssetKind.Range, "198.51.0.0/16")]
    [InlineData("203.0.113.9/32", AssetKind.Ip, "203.0.113.9")]
    [InlineData("Mail.Example.COM.", AssetKind.Domain, "mail.example.com")]
    [InlineData("bücher.example", AssetKind.Domain, "xn--bcher-kva.example")]
    [InlineData("пример.рф", AssetKind.Domain, "xn--e1afmkfd.xn--p1ai")]
    public void Parse_gives_the_canonical_value_and_kind(string input, AssetKind kind, string canonical)
    {
        var result = AssetValue.Parse(input);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(new AssetValue(kind, canonical), result.Asset);
    }

    [Theory]
    [InlineData("300.1.1.1", "300 is above 255")]
    [InlineData("10.1", "four numbers")]
    [InlineData("010.1.1.1", "leading zero")]
    [InlineData("10.0.0.0/8", "larger than a /16")]
    [InlineData("203.0.113.5/28", "Did you mean 203.0.113.0/28")]
    [InlineData("203.0.113.0/33", "at most /32")]
    [InlineData("203.0.113.0/", "prefix length")]
    [InlineData("2001:db8::/64", "IPv6 range")]
    [InlineData("2001:db8::zz", "not a valid IPv6")]
    [InlineData("::ffff:203.0.113.7", "add it as 203.0.113.7")]
    [InlineData("192.168.1.10", "private address")]
    [InlineData("127.0.0.2", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("postmaster@example.com", "add its domain (example.com)")]
    [InlineData("https://example.com/", "URL")]
    [InlineData("localhost", "at least one dot")]
    [InlineData("exa mple.com", "not a valid domain")]
    [InlineData("-bad-.example.com", "not a valid domain")]
    [InlineData("", "empty")]
    [InlineData("1.2.3.4.5", "four numbers")]
    public void Parse_refuses_bad_input_and_says_why(string input, string because)
    {
        var result = AssetValue.Parse(input);

        Assert.False(result.Succeeded);
        Assert.Contains(because, result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Helo_kind_takes_a_host_name_and_refuses_an_address_literal()
    {
        Assert.Equal(new AssetValue(AssetKind.Helo, "mta1.example.net"), AssetValue.Parse("MTA1.example.net", AssetKind.Helo).Asset);
        Assert.Contains("address literal", AssetValue.Parse("203.0.113.7", AssetKind.Helo).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_requested_kind_that_disagrees_with_the_value_is_an_error()
    {
        var result = AssetValue.Parse("example.com", AssetKind.Ip);

        Assert.Equal("'example.com' is a domain, not an IP address.", result.Error);
    }

    [Fact]
    public void An_over_long_value_is_refused_before_parsing() =>
        Assert.Contains("characters long", AssetValue.Parse(new string('a', 5000) + ".com").Error, StringComparison.Ordinal);

    [Fact]
    public void A_range_enumerates_every_address_in_order()
    {
        var range = AssetValue.Parse("203.0.113.0/30").Asset!;

        Assert.Equal(4, range.AddressCount);
        Assert.Equal(["203.0.113.0", "203.0.113.1", "203.0.113.2", "203.0.113.3"], range.Addresses().Select(a => a.ToString()));
    }

    [Fact]
    public void A_slash_16_counts_65536_addresses() =>
        Assert.Equal(65_536, AssetValue.Parse("198.51.0.0/16").Asset!.AddressCount);
}
