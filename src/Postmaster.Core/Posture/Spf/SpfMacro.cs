using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postmaster.Core.Posture.Spf;

/// <summary>What the macros of RFC 7208 §7 expand to for one evaluation.</summary>
public sealed record SpfMacroContext(IPAddress Ip, string Sender, string Domain, string Helo)
{
    public string LocalPart => Sender[..Sender.IndexOf('@', StringComparison.Ordinal)];

    public string SenderDomain => Sender[(Sender.IndexOf('@', StringComparison.Ordinal) + 1)..];
}

/// <summary>
/// SPF macros (RFC 7208 §7): %{s l o d i p v h} with digit and "r" transformers and delimiters, and
/// %%, %_, %-. The letters c, r and t belong in exp= text only, which this evaluation never fetches
/// (it reports results, not receiver explanations). %{p} expands to "unknown": RFC 7208 §7.3 says it
/// SHOULD NOT be used, and resolving it would spend lookups a receiver may not spend the same way.
/// </summary>
public static class SpfMacro
{
    private const string Delimiters = ".-+,/_=";

    /// <summary>Null when the macro-string is well formed, else why not.</summary>
    public static string? Validate(string text, bool allowExpLetters) =>
        Walk(text, null, allowExpLetters, out _);

    /// <summary>The expanded string, or the syntax error (a permerror).</summary>
    public static (string? Value, string? Error) Expand(string text, SpfMacroContext context)
    {
        var error = Walk(text, context, allowExpLetters: false, out var value);
        return error is null ? (value, null) : (null, error);
    }

    /// <summary>
    /// RFC 7208 §7.3: a domain name longer than 253 characters after expansion loses labels from the
    /// left until it fits.
    /// </summary>
    public static string FitDomain(string domain)
    {
        var name = domain.TrimEnd('.');
        while (name.Length > 253)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return name[^253..];
            }

            name = name[(dot + 1)..];
        }

        return name;
    }

    private static string? Walk(string text, SpfMacroContext? context, bool allowExpLetters, out string value)
    {
        var output = new StringBuilder(text.Length);
        value = "";
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                if (c is < (char)0x21 or > (char)0x7e)
                {
                    return $"'{text}' contains a character SPF does not allow";
                }

                output.Append(c);
                continue;
            }

            if (i + 1 >= text.Length)
            {
                return $"'{text}' ends in a lone '%' (write %% for a percent sign)";
            }

            var next = text[++i];
            switch (next)
            {
                case '%':
                    output.Append('%');
                    continue;
                case '_':
                    output.Append(' ');
                    continue;
                case '-':
                    output.Append("%20");
                    continue;
                case '{':
                    break;
                default:
                    return $"'%{next}' in '{text}' is not a macro (use %{{letter}}, %%, %_ or %-)";
            }

            var close = text.IndexOf('}', i);
            if (close < 0)
            {
                return $"a macro in '{text}' is not closed with '}}'";
            }

            var body = text[(i + 1)..close];
            i = close;
            if (body.Length == 0)
            {
                return $"an empty macro %{{}} in '{text}'";
            }

            var letter = body[0];
            var lower = char.ToLowerInvariant(letter);
            if (!"slodipvh".Contains(lower, StringComparison.Ordinal) && !(allowExpLetters && "crt".Contains(lower, StringComparison.Ordinal)))
            {
                return $"'%{{{body}}}' in '{text}' uses a macro letter SPF does not allow here";
            }

            var p = 1;
            var digits = 0;
            while (p < body.Length && char.IsAsciiDigit(body[p]))
            {
                digits = Math.Min((digits * 10) + (body[p] - '0'), 1000);
                p++;
            }

            var hasDigits = p > 1;
            if (hasDigits && digits == 0)
            {
                return $"'%{{{body}}}' in '{text}' keeps zero parts (RFC 7208 §7.1: the number must be nonzero)";
            }

            var reverse = p < body.Length && (body[p] == 'r' || body[p] == 'R');
            if (reverse)
            {
                p++;
            }

            var delimiters = body[p..];
            if (delimiters.Any(d => !Delimiters.Contains(d, StringComparison.Ordinal)))
            {
                return $"'%{{{body}}}' in '{text}' has delimiters other than . - + , / _ =";
            }

            if (context is null)
            {
                continue;
            }

            var expanded = Transform(Letter(lower, context), hasDigits ? digits : null, reverse, delimiters);
            output.Append(char.IsUpper(letter) ? Uri.EscapeDataString(expanded) : expanded);
        }

        value = output.ToString();
        return null;
    }

    private static string Letter(char letter, SpfMacroContext context) => letter switch
    {
        's' => context.Sender,
        'l' => context.LocalPart,
        'o' => context.SenderDomain,
        'd' => context.Domain,
        'i' => DottedAddress(context.Ip),
        'p' => "unknown",
        'v' => context.Ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
        'h' => context.Helo,
        _ => "",
    };

    /// <summary>%{i}: dotted quad for IPv4, dot-separated nibbles for IPv6 (RFC 7208 §7.3).</summary>
    private static string DottedAddress(IPAddress ip)
    {
        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }

        var nibbles = ip.GetAddressBytes().SelectMany(b => new[] { b >> 4, b & 0xf }).Select(n => n.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        return string.Join('.', nibbles);
    }

    private static string Transform(string value, int? keep, bool reverse, string delimiters)
    {
        var separators = delimiters.Length == 0 ? ['.'] : delimiters.ToCharArray();
        var parts = value.Split(separators);
        if (reverse)
        {
            Array.Reverse(parts);
        }

        if (keep is { } k && k < parts.Length)
        {
            parts = parts[^k..];
        }

        return string.Join('.', parts);
    }
}
