using System.Net;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Tests.Security;

/// <summary>Reading <c>Postmaster:Http:TrustedProxies</c>: addresses and networks of both families, and a sentence for anything else.</summary>
public sealed class TrustedProxiesTests
{
    [Fact]
    public void Addresses_and_networks_of_both_families_are_read()
    {
        var proxies = TrustedProxies.Parse(["172.28.0.80", " 10.0.0.0/8 ", "::1", "fd00::/8"], out var errors);

        Assert.Empty(errors);
        Assert.Equal([IPAddress.Parse("172.28.0.80"), IPAddress.IPv6Loopback], proxies.Addresses);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8")], proxies.Networks);
    }

    [Fact]
    public void A_host_name_or_a_prefix_too_long_is_named_in_an_error()
    {
        _ = TrustedProxies.Parse(["caddy", "10.0.0.0/33", "10.0.0.1"], out var errors);

        Assert.Collection(
            errors,
            e => Assert.StartsWith("Postmaster:Http:TrustedProxies has \"caddy\", which is not an IP address or a CIDR network", e, StringComparison.Ordinal),
            e => Assert.StartsWith("Postmaster:Http:TrustedProxies has \"10.0.0.0/33\", which is not a CIDR network", e, StringComparison.Ordinal));
    }
}
