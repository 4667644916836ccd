using System.Net;
using System.Net.Sockets;

namespace Postmaster.Core.Alerts;

/// <summary>
/// Whether an address is one a webhook may be sent to without the operator's say-so: anything on
/// this machine or an internal network (loopback, RFC 1918, RFC 6598 shared space, link-local,
/// IPv6 unique-local, multicast, unspecified, reserved) is refused, so an alert target cannot be
/// turned into a probe of the network Postmaster runs in.
/// </summary>
public static class AddressScope
{
    private static readonly IPNetwork[] Internal =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network" (RFC 1122)
        IPNetwork.Parse("10.0.0.0/8"),       // RFC 1918
        IPNetwork.Parse("100.64.0.0/10"),    // shared address space, carrier-grade NAT (RFC 6598)
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, cloud metadata services
        IPNetwork.Parse("172.16.0.0/12"),    // RFC 1918
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments (RFC 6890)
        IPNetwork.Parse("192.168.0.0/16"),   // RFC 1918
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking (RFC 2544)
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, and the broadcast address
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("fc00::/7"),         // unique local (RFC 4193)
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated, still routed internally somewhere)
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    /// <summary>True when the address is loopback, private, link-local or otherwise not a public Internet host.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && Embedded(address) is { } v4)
        {
            return IsInternal(v4); // NAT64 and 6to4 carry an IPv4 address: judge that one
        }

        return Internal.Any(n => n.Contains(address));
    }

    /// <summary>The IPv4 address inside a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address.</summary>
    private static IPAddress? Embedded(IPAddress v6)
    {
        var b = v6.GetAddressBytes();
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.Skip(4).Take(8).All(x => x == 0))
        {
            return new IPAddress(b[12..16]);
        }

        return b[0] == 0x20 && b[1] == 0x02 ? new IPAddress(b[2..6]) : null;
    }
}
