using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postmaster.Core.Blocklists;

/// <summary>Builds the names a DNSBL is asked about (RFC 5782 §2.1, §2.4, §3).</summary>
public static class DnsblQueryName
{
    /// <summary>
    /// The absolute query name (ending in a dot, so no resolver search list is ever appended):
    /// reversed octets for IPv4, reversed nibbles for IPv6, the name itself for domains.
    /// </summary>
    public static string For(IPAddress address, string zone)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ForIpv4(address, zone);
        }

        var bytes = address.GetAddressBytes();
        var builder = new StringBuilder(address.AddressFamily == AddressFamily.InterNetworkV6 ? 64 + zone.Length + 1 : 16 + zone.Length + 1);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // Every nibble, least significant first: 2001:db8::1 → 1.0.0.0.(…).8.b.d.0.1.0.0.2
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                builder.Append(Hex[bytes[i] & 0x0f]).Append('.').Append(Hex[bytes[i] >> 4]).Append('.');
            }
        }
        else
        {
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                builder.Append(bytes[i]).Append('.');
            }
        }

        return builder.Append(zone.TrimEnd('.')).Append('.').ToString();
    }

    /// <summary>Three of these per address in a sweep: written straight into one string, nothing else allocated.</summary>
    private static string ForIpv4(IPAddress address, string zone)
    {
        Span<byte> octets = stackalloc byte[4];
        address.TryWriteBytes(octets, out _);
        var suffix = zone.AsSpan().TrimEnd('.');
        Span<char> name = stackalloc char[16 + suffix.Length + 1];
        var at = 0;
        for (var i = 3; i >= 0; i--)
        {
            octets[i].TryFormat(name[at..], out var written, default, CultureInfo.InvariantCulture);
            at += written;
            name[at++] = '.';
        }

        suffix.CopyTo(name[at..]);
        at += suffix.Length;
        name[at++] = '.';
        return new string(name[..at]);
    }

    public static string For(string domain, string zone) => $"{domain.TrimEnd('.')}.{zone.TrimEnd('.')}.";

    /// <summary>The name for a test point, which may be an address or a name.</summary>
    public static string ForTestPoint(string point, string zone) =>
        IPAddress.TryParse(point, out var address) ? For(address, zone) : For(point, zone);

    private const string Hex = "0123456789abcdef";
}
