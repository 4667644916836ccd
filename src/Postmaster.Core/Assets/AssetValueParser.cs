using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Postmaster.Core.Assets;

/// <summary>
/// Strict parsing of asset values. Strict on purpose: <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// accepts "10.1" or "0x7f.1" and would silently watch an address nobody meant.
/// </summary>
internal static class AssetValueParser
{
    public const int MaxInputLength = 300;
    public const int SmallestPrefix = 16;

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    public static AssetParseResult Parse(string? input, AssetKind? requestedKind)
    {
        var text = input?.Trim() ?? "";
        if (text.Length == 0)
        {
            return AssetParseResult.Fail("The value is empty: give an IP address, a CIDR range, a domain or a HELO name.");
        }

        if (text.Length > MaxInputLength)
        {
            return AssetParseResult.Fail($"The value is {text.Length} characters long; no address or host name is longer than {MaxInputLength}.");
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            return AssetParseResult.Fail($"'{text}' is a URL; add only the host name, without the scheme or path.");
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            var what = requestedKind == AssetKind.Helo ? "HELO name" : "domain";
            return AssetParseResult.Fail($"'{text}' is an email address; add its {what} ({text[(text.LastIndexOf('@') + 1)..]}) instead.");
        }

        if (requestedKind is AssetKind.Helo or AssetKind.Domain)
        {
            return ParseHostName(text, requestedKind.Value);
        }

        AssetParseResult result;
        if (text.Contains('/', StringComparison.Ordinal))
        {
            result = ParseRange(text);
        }
        else if (text.Contains(':', StringComparison.Ordinal))
        {
            result = ParseIpv6(text);
        }
        else if (LooksNumeric(text))
        {
            result = ParseIpv4(text);
        }
        else
        {
            result = ParseHostName(text, AssetKind.Domain);
        }

        if (result.Asset is { } parsed && requestedKind is { } wanted && parsed.Kind != wanted)
        {
            return AssetParseResult.Fail($"'{text}' is {Describe(parsed.Kind)}, not {Describe(wanted)}.");
        }

        return result;
    }

    private static string Describe(AssetKind kind) => kind switch
    {
        AssetKind.Ip => "an IP address",
        AssetKind.Range => "a CIDR range",
        AssetKind.Domain => "a domain",
        _ => "a HELO name",
    };

    private static bool LooksNumeric(string text) => text.All(c => char.IsAsciiDigit(c) || c == '.');

    private static AssetParseResult ParseIpv4(string text)
    {
        if (!TryParseDottedQuad(text, out var address, out var error))
        {
            return AssetParseResult.Fail(error);
        }

        return Reserved(address) is { } why
            ? AssetParseResult.Fail($"{text} is {why}; blocklists and receivers never see it as a sender.")
            : AssetParseResult.Ok(new AssetValue(AssetKind.Ip, address.ToString()));
    }

    private static bool TryParseDottedQuad(string text, out IPAddress address, out string error)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            error = $"'{text}' is not an IPv4 address: it needs four numbers separated by dots, like 203.0.113.7.";
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length == 0 || part.Length > 3 || !part.All(char.IsAsciiDigit))
            {
                error = $"'{text}' is not an IPv4 address: part {i + 1} ('{part}') is not a number from 0 to 255.";
                return false;
            }

            if (part.Length > 1 && part[0] == '0')
            {
                error = $"'{text}' has a leading zero in '{part}', which some tools read as octal; write it without the zero.";
                return false;
            }

            var value = int.Parse(part, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                error = $"'{text}' is not an IPv4 address: {value} is above 255.";
                return false;
            }

            bytes[i] = (byte)value;
        }

        address = new IPAddress(bytes);
        error = "";
        return true;
    }

    private static AssetParseResult ParseIpv6(string text)
    {
        var body = text;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            body = text[..slash];
        }

        if (body.Contains('%', StringComparison.Ordinal))
        {
            return AssetParseResult.Fail($"'{text}' carries a zone index (%…); a sending address has none.");
        }

        if (!IPAddress.TryParse(body, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AssetParseResult.Fail($"'{text}' is not a valid IPv6 address.");
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return AssetParseResult.Fail($"'{text}' is an IPv4 address written as IPv6; add it as {address.MapToIPv4()}.");
        }

        if (Reserved(address) is { } why)
        {
            return AssetParseResult.Fail($"{text} is {why}; blocklists and receivers never see it as a sender.");
        }

        return AssetParseResult.Ok(new AssetValue(AssetKind.Ip, address.ToString()));
    }

    private static AssetParseResult ParseRange(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = text[..slash];
        var prefixText = text[(slash + 1)..];

        if (addressText.Contains(':', StringComparison.Ordinal))
        {
            return prefixText == "128"
                ? ParseIpv6(text)
                : AssetParseResult.Fail($"'{text}' is an IPv6 range; only single IPv6 addresses can be added (a /64 holds more addresses than any sweep could query).");
        }

        if (!TryParseDottedQuad(addressText, out var address, out var error))
        {
            return AssetParseResult.Fail(error);
        }

        if (prefixText.Length is 0 or > 2 || !prefixText.All(char.IsAsciiDigit))
        {
            return AssetParseResult.Fail($"'{text}' has no valid prefix length after the slash: use a number from {SmallestPrefix} to 32.");
        }

        var prefix = int.Parse(prefixText, CultureInfo.InvariantCulture);
        if (prefix > 32)
        {
            return AssetParseResult.Fail($"'{text}' has prefix /{prefix}; an IPv4 prefix is at most /32.");
        }

        if (prefix < SmallestPrefix)
        {
            return AssetParseResult.Fail(
                $"'{text}' is larger than a /{SmallestPrefix} ({1L << (32 - prefix):N0} addresses; at most 65,536 per asset). Split it into /{SmallestPrefix} ranges.");
        }

        var network = new IPNetwork(MaskTo(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            return AssetParseResult.Fail($"'{text}' has host bits set after /{prefix}; the range starts at {network}. Did you mean {network}?");
        }

        if (Reserved(address) is { } why)
        {
            return AssetParseResult.Fail($"{text} is {why}; blocklists and receivers never see it as a sender.");
        }

        return prefix == 32
            ? AssetParseResult.Ok(new AssetValue(AssetKind.Ip, address.ToString()))
            : AssetParseResult.Ok(new AssetValue(AssetKind.Range, network.ToString()));
    }

    private static IPAddress MaskTo(IPAddress address, int prefix)
    {
        var value = Ipv4.ToUInt32(address);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return Ipv4.FromUInt32(value & mask);
    }

    private static AssetParseResult ParseHostName(string text, AssetKind kind)
    {
        var what = kind == AssetKind.Helo ? "HELO name" : "domain";
        if (kind == AssetKind.Helo && (LooksNumeric(text) || text.Contains(':', StringComparison.Ordinal) || text.StartsWith('[')))
        {
            return AssetParseResult.Fail($"'{text}' is an address literal; a HELO name must be a fully qualified host name that resolves to the sending IP.");
        }

        var name = text.TrimEnd('.');
        string ascii;
        try
        {
            ascii = Idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return AssetParseResult.Fail($"'{text}' is not a valid {what}: use letters, digits and hyphens in dot-separated labels.");
        }

        if (ascii.Length > 253)
        {
            return AssetParseResult.Fail($"'{text}' is longer than the 253 characters a DNS name may have.");
        }

        var labels = ascii.Split('.');
        if (labels.Length < 2)
        {
            return AssetParseResult.Fail($"'{text}' is not a fully qualified {what}: it needs at least one dot, like example.com.");
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63)
            {
                return AssetParseResult.Fail($"'{text}' has an empty or over-long label; each part between dots is 1 to 63 characters.");
            }
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            return AssetParseResult.Fail($"'{text}' ends in a number, so it is neither an IP address nor a domain.");
        }

        return AssetParseResult.Ok(new AssetValue(kind, ascii));
    }

    /// <summary>Special-purpose ranges (RFC 6890) that never send mail on the Internet.</summary>
    private static string? Reserved(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Loopback))
            {
                return "the loopback address";
            }

            if (address.Equals(IPAddress.IPv6Any))
            {
                return "the unspecified address";
            }

            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0xff => "a multicast address",
                0xfe when (b[1] & 0xc0) == 0x80 => "a link-local address (fe80::/10)",
                0xfc or 0xfd => "a unique local address (fc00::/7)",
                _ => null,
            };
        }

        var v = address.GetAddressBytes();
        return v[0] switch
        {
            0 => "in 0.0.0.0/8 (\"this network\")",
            10 => "a private address (10.0.0.0/8, RFC 1918)",
            127 => "a loopback address (127.0.0.0/8)",
            100 when (v[1] & 0xc0) == 64 => "a carrier-grade NAT address (100.64.0.0/10)",
            169 when v[1] == 254 => "a link-local address (169.254.0.0/16)",
            172 when (v[1] & 0xf0) == 16 => "a private address (172.16.0.0/12, RFC 1918)",
            192 when v[1] == 168 => "a private address (192.168.0.0/16, RFC 1918)",
            >= 224 and <= 239 => "a multicast address",
            >= 240 => "a reserved address (240.0.0.0/4)",
            _ => null,
        };
    }
}
