using System.Net;
using Postmaster.Core.Blocklists;

namespace Postmaster.Tests.Blocklists;

public class DnsblQueryNameTests
{
    [Fact]
    public void Ipv4_octets_are_reversed_and_the_name_is_absolute() =>
        Assert.Equal("7.113.0.203.zen.spamhaus.org.", DnsblQueryName.For(IPAddress.Parse("203.0.113.7"), "zen.spamhaus.org"));

    [Theory]
    [InlineData("0.0.0.0", "zone.test.", "0.0.0.0.zone.test.")]
    [InlineData("255.255.255.255", "zone.test", "255.255.255.255.zone.test.")]
    [InlineData("10.200.3.45", "b.barracudacentral.org", "45.3.200.10.b.barracudacentral.org.")]
    public void Ipv4_names_keep_every_octet_and_one_final_dot(string address, string zone, string expected) =>
        Assert.Equal(expected, DnsblQueryName.For(IPAddress.Parse(address), zone));

    [Fact]
    public void Ipv6_is_queried_in_reversed_nibbles_per_rfc_5782()
    {
        // RFC 5782 §2.4: 2001:db8:1:2:3:4:567:89ab → b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2
        var name = DnsblQueryName.For(IPAddress.Parse("2001:db8:1:2:3:4:567:89ab"), "ugly.example.com");

        Assert.Equal("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com.", name);
    }

    [Fact]
    public void Compressed_ipv6_zeros_are_expanded_to_32_nibbles()
    {
        var name = DnsblQueryName.For(IPAddress.Parse("2001:db8::1"), "zone.test");

        Assert.Equal(32, name.Split('.').Length - 3);
        Assert.StartsWith("1.0.0.0.0.0.0.0.", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Domains_are_prefixed_to_the_zone() =>
        Assert.Equal("example.com.dbl.spamhaus.org.", DnsblQueryName.For("example.com", "dbl.spamhaus.org."));

    [Fact]
    public void A_keyed_zone_takes_the_key() =>
        Assert.Equal("abc123.zen.dq.spamhaus.net", new BlocklistDefinition
        {
            Slug = "dqs",
            Name = "DQS",
            Zone = "zen.dq.spamhaus.net",
            KeyedZone = "{key}.zen.dq.spamhaus.net",
        }.QueryZone("abc123"));
}
