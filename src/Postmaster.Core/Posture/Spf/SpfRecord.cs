using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Postmaster.Core.Posture.Spf;

/// <summary>The qualifier in front of a mechanism (RFC 7208 §4.6.2): what a match means.</summary>
public enum SpfQualifier
{
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

public enum SpfMechanismKind
{
    All,
    Include,
    A,
    Mx,
    ReverseName,
    Ip4,
    Ip6,
    Exists,
}

/// <summary>One directive of a record: qualifier, mechanism, its domain-spec (macros unexpanded) and prefix lengths.</summary>
public sealed record SpfMechanism(
    SpfQualifier Qualifier, SpfMechanismKind Kind, string? DomainSpec, IPAddress? Address, int? Cidr4, int? Cidr6, string Text)
{
    /// <summary>Mechanisms that ask DNS and so count toward the 10-lookup limit (RFC 7208 §4.6.4).</summary>
    public bool CountsAsLookup => Kind is SpfMechanismKind.Include or SpfMechanismKind.A or SpfMechanismKind.Mx
        or SpfMechanismKind.ReverseName or SpfMechanismKind.Exists;
}

/// <summary>A parsed SPF record (RFC 7208 §4.6): its mechanisms in order, and the redirect and exp modifiers.</summary>
public sealed partial record SpfRecord(IReadOnlyList<SpfMechanism> Mechanisms, string? Redirect, string? Explanation)
{
    /// <summary>
    /// Whether a TXT record is an SPF record: it starts with exactly "v=spf1", followed by a space
    /// or nothing (RFC 7208 §4.5; "v=spf10" is not one). Case-insensitive, as ABNF strings are.
    /// </summary>
    public static bool IsSpf(string text) =>
        text.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (text.Length == 6 || text[6] == ' ');

    /// <summary>Parses a record; a syntax error anywhere makes the whole record a permerror (RFC 7208 §4.6).</summary>
    public static (SpfRecord? Record, string? Error) Parse(string text)
    {
        if (!IsSpf(text))
        {
            return (null, "it does not start with v=spf1");
        }

        var mechanisms = new List<SpfMechanism>();
        string? redirect = null;
        string? explanation = null;
        foreach (var term in text[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (ModifierName(term) is { } name)
            {
                var value = term[(name.Length + 1)..];
                var macroError = SpfMacro.Validate(value, allowExpLetters: false);
                switch (name.ToLowerInvariant())
                {
                    case "redirect" when redirect is not null:
                    case "exp" when explanation is not null:
                        return (null, $"the {name} modifier appears twice (RFC 7208 §6)");
                    case "redirect":
                        if (DomainSpecError(value) is { } redirectError)
                        {
                            return (null, $"'{term}': {redirectError}");
                        }

                        redirect = value;
                        break;
                    case "exp":
                        if (DomainSpecError(value) is { } expError)
                        {
                            return (null, $"'{term}': {expError}");
                        }

                        explanation = value;
                        break;
                    default:
                        // Unknown modifiers are ignored (RFC 7208 §6), but their macros must still parse.
                        if (macroError is not null)
                        {
                            return (null, $"'{term}': {macroError}");
                        }

                        break;
                }

                continue;
            }

            var (mechanism, error) = ParseMechanism(term);
            if (mechanism is null)
            {
                return (null, error);
            }

            mechanisms.Add(mechanism);
        }

        return (new SpfRecord(mechanisms, redirect, explanation), null);
    }

    /// <summary>The name of a modifier term (name "=" ...), or null when the term is a mechanism.</summary>
    private static string? ModifierName(string term)
    {
        var equals = term.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return null;
        }

        var name = term[..equals];
        // name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ); a mechanism's ':' or '/' coming first makes it no modifier.
        return char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? name : null;
    }

    private static (SpfMechanism? Mechanism, string? Error) ParseMechanism(string term)
    {
        var qualifier = term[0] switch
        {
            '+' => SpfQualifier.Pass,
            '-' => SpfQualifier.Fail,
            '~' => SpfQualifier.SoftFail,
            '?' => SpfQualifier.Neutral,
            _ => (SpfQualifier?)null,
        };
        var body = qualifier is null ? term : term[1..];
        var end = body.IndexOfAny([':', '/']);
        var name = (end < 0 ? body : body[..end]).ToLowerInvariant();
        var rest = end < 0 ? "" : body[end..];
        var q = qualifier ?? SpfQualifier.Pass;

        switch (name)
        {
            case "all":
                return rest.Length == 0 ? (new SpfMechanism(q, SpfMechanismKind.All, null, null, null, null, term), null) : Bad(term, "'all' takes no argument");
            case "include":
            case "exists":
                {
                    if (!rest.StartsWith(':') || rest.Length == 1)
                    {
                        return Bad(term, $"'{name}' needs a domain, as {name}:example.com");
                    }

                    var spec = rest[1..];
                    return DomainSpecError(spec) is { } error
                        ? Bad(term, error)
                        : (new SpfMechanism(q, name == "include" ? SpfMechanismKind.Include : SpfMechanismKind.Exists, spec, null, null, null, term), null);
                }

            case "a":
            case "mx":
                {
                    var (spec, cidr4, cidr6, error) = DomainAndDualCidr(rest);
                    return error is not null
                        ? Bad(term, error)
                        : (new SpfMechanism(q, name == "a" ? SpfMechanismKind.A : SpfMechanismKind.Mx, spec, null, cidr4, cidr6, term), null);
                }

            case "ptr":
                {
                    if (rest.Length == 0)
                    {
                        return (new SpfMechanism(q, SpfMechanismKind.ReverseName, null, null, null, null, term), null);
                    }

                    if (!rest.StartsWith(':') || DomainSpecError(rest[1..]) is not null)
                    {
                        return Bad(term, "'ptr' takes an optional domain, as ptr:example.com");
                    }

                    return (new SpfMechanism(q, SpfMechanismKind.ReverseName, rest[1..], null, null, null, term), null);
                }

            case "ip4":
            case "ip6":
                return Network(term, q, name == "ip4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6, rest);
            default:
                return Bad(term, $"'{name}' is not an SPF mechanism (all, include, a, mx, ptr, ip4, ip6, exists)");
        }
    }

    private static (SpfMechanism? Mechanism, string? Error) Network(string term, SpfQualifier q, AddressFamily family, string rest)
    {
        if (!rest.StartsWith(':'))
        {
            return Bad(term, "an address is needed after the colon");
        }

        var value = rest[1..];
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? value : value[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || address.AddressFamily != family
            || (family == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            return Bad(term, $"'{addressText}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        }

        int? cidr = null;
        if (slash >= 0)
        {
            var max = family == AddressFamily.InterNetwork ? 32 : 128;
            if (!TryCidr(value[(slash + 1)..], max, out var length))
            {
                return Bad(term, $"the prefix length must be 0 to {max}");
            }

            cidr = length;
        }

        return (family == AddressFamily.InterNetwork
            ? new SpfMechanism(q, SpfMechanismKind.Ip4, null, address, cidr, null, term)
            : new SpfMechanism(q, SpfMechanismKind.Ip6, null, address, null, cidr, term), null);
    }

    /// <summary>[ ":" domain-spec ] [ "/" ip4-cidr ] [ "//" ip6-cidr ] (RFC 7208 §5.3, §5.4).</summary>
    private static (string? Spec, int? Cidr4, int? Cidr6, string? Error) DomainAndDualCidr(string rest)
    {
        string? spec = null;
        var cidrPart = rest;
        if (rest.StartsWith(':'))
        {
            // The CIDR part is whatever "/digits" and "//digits" end the term; a '/' inside a macro is followed by '}'.
            var cut = rest.Length;
            var dual = DualCidr().Match(rest);
            if (dual.Success && dual.Length > 0)
            {
                cut = dual.Index;
            }

            spec = rest[1..cut];
            cidrPart = rest[cut..];
            if (DomainSpecError(spec) is { } error)
            {
                return (null, null, null, error);
            }
        }

        int? cidr4 = null;
        int? cidr6 = null;
        if (cidrPart.Length > 0)
        {
            var six = cidrPart.IndexOf("//", StringComparison.Ordinal);
            var fourText = six < 0 ? cidrPart : cidrPart[..six];
            var sixText = six < 0 ? "" : cidrPart[(six + 2)..];
            if (fourText.Length > 0)
            {
                if (!fourText.StartsWith('/') || !TryCidr(fourText[1..], 32, out var four))
                {
                    return (null, null, null, "the IPv4 prefix length must be 0 to 32");
                }

                cidr4 = four;
            }

            if (six >= 0)
            {
                if (!TryCidr(sixText, 128, out var v6))
                {
                    return (null, null, null, "the IPv6 prefix length must be 0 to 128");
                }

                cidr6 = v6;
            }
        }

        return (spec, cidr4, cidr6, null);
    }

    /// <summary>"0" or digits without a leading zero, at most <paramref name="max"/> (RFC 7208 §5.6).</summary>
    private static bool TryCidr(string text, int max, out int length)
    {
        length = 0;
        return text.Length is > 0 and <= 3 && text.All(char.IsAsciiDigit) && (text == "0" || text[0] != '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length) && length <= max;
    }

    /// <summary>
    /// domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand
    /// (RFC 7208 §7.1): a bare "localhost" is a syntax error, "%{d}" or "_spf.%{d}" are fine.
    /// </summary>
    internal static string? DomainSpecError(string spec)
    {
        if (spec.Length == 0)
        {
            return "the domain is empty";
        }

        if (SpfMacro.Validate(spec, allowExpLetters: false) is { } macroError)
        {
            return macroError;
        }

        if (spec.EndsWith('}') || spec.EndsWith("%%", StringComparison.Ordinal) || spec.EndsWith("%_", StringComparison.Ordinal) || spec.EndsWith("%-", StringComparison.Ordinal))
        {
            return null;
        }

        var trimmed = spec.EndsWith('.') ? spec[..^1] : spec;
        var dot = trimmed.LastIndexOf('.');
        if (dot < 0)
        {
            return $"'{spec}' is not a fully qualified domain";
        }

        var top = trimmed[(dot + 1)..];
        var valid = top.Length is > 0 and <= 63
            && top.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && !top.StartsWith('-') && !top.EndsWith('-')
            && (top.Any(char.IsAsciiLetter) || top.Contains('-', StringComparison.Ordinal));
        return valid ? null : $"'{spec}' does not end in a valid top-level label";
    }

    private static (SpfMechanism? Mechanism, string? Error) Bad(string term, string why) => (null, $"'{term}': {why}");

    [GeneratedRegex(@"(/[0-9]+)?(//[0-9]+)?$", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex DualCidr();
}
