namespace Postmaster.Core.Signals.Logs;

/// <summary>Field extraction shared by the parsers: bounded strings, SMTP codes, recipients.</summary>
internal static class LogText
{
    // A lossy, lock-free cache for the few thousand domains, MX hosts and status codes a log repeats
    // millions of times: a slot holds the last string hashed to it. Strings are immutable and reference
    // writes atomic, so a race costs at most a fresh allocation.
    private const int CacheSlots = 8192;
    private const int CacheableLength = 96;
    private static readonly string?[] Cache = new string?[CacheSlots];

    public static string Intern(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return "";
        }

        if (value.Length > CacheableLength)
        {
            return new string(value);
        }

        var slot = string.GetHashCode(value) & (CacheSlots - 1);
        var cached = Volatile.Read(ref Cache[slot]);
        if (cached is not null && value.SequenceEqual(cached))
        {
            return cached;
        }

        var created = new string(value);
        Volatile.Write(ref Cache[slot], created);
        return created;
    }

    /// <summary>Lower-cases ASCII letters (host and domain names) and interns the result.</summary>
    public static string InternLower(ReadOnlySpan<char> value)
    {
        if (!value.ContainsAnyInRange('A', 'Z') || value.Length > LogFieldLimits.MaxHostLength)
        {
            return Intern(value);
        }

        Span<char> lower = stackalloc char[value.Length];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            lower[i] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        }

        return Intern(lower);
    }

    /// <summary>A response cut to <see cref="DeliveryOutcome.MaxResponseLength"/> (never inside a surrogate pair); null when blank.</summary>
    public static string? Response(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty)
        {
            return null;
        }

        if (text.Length > LogFieldLimits.MaxResponseLength)
        {
            var cut = LogFieldLimits.MaxResponseLength;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            text = text[..cut];
        }

        return new string(text);
    }

    /// <summary>
    /// Exim writes the lines of a multi-line reply joined by a literal backslash-n; turn them back into
    /// line breaks so <see cref="ResponseText.Fold"/> drops the repeated "550-" prefixes.
    /// </summary>
    public static string? EximResponse(ReadOnlySpan<char> text)
    {
        if (text.IndexOf("\\n", StringComparison.Ordinal) < 0)
        {
            return Response(text);
        }

        var length = Math.Min(text.Length, LogFieldLimits.MaxResponseLength * 2);
        Span<char> buffer = length <= 1024 ? stackalloc char[length] : new char[length];
        var n = 0;
        for (var i = 0; i < length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == 'n')
            {
                buffer[n++] = '\n';
                i++;
            }
            else
            {
                buffer[n++] = text[i];
            }
        }

        return Response(buffer[..n]);
    }

    /// <summary>The reply code at the start of an SMTP reply ("550-5.7.1 …", "421 …", "250"), or null.</summary>
    public static int? ReplyCode(ReadOnlySpan<char> reply)
    {
        if (reply.Length < 3 || reply[0] is < '2' or > '5' || !char.IsAsciiDigit(reply[1]) || !char.IsAsciiDigit(reply[2]))
        {
            return null;
        }

        if (reply.Length > 3 && reply[3] is not (' ' or '-'))
        {
            return null;
        }

        return ((reply[0] - '0') * 100) + ((reply[1] - '0') * 10) + (reply[2] - '0');
    }

    /// <summary>The RFC 3463 code after an SMTP reply code ("550-5.7.26 …" → "5.7.26"), or null.</summary>
    public static string? EnhancedCodeInReply(ReadOnlySpan<char> reply)
    {
        if (ReplyCode(reply) is null || reply.Length < 5)
        {
            return null;
        }

        var rest = reply[4..];
        var end = rest.IndexOfAny(' ', '\n', '\r');
        return EnhancedCode(end < 0 ? rest : rest[..end]);
    }

    /// <summary>An RFC 3463 status code ("5.7.26") when the text is one, interned; otherwise null.</summary>
    public static string? EnhancedCode(ReadOnlySpan<char> text)
    {
        if (text.Length is < 5 or > LogFieldLimits.MaxEnhancedCodeLength || text[0] is not ('2' or '4' or '5') || text[1] != '.')
        {
            return null;
        }

        var second = text[2..].IndexOf('.');
        if (second is < 1 or > 3)
        {
            return null;
        }

        var subject = text.Slice(2, second);
        var detail = text[(3 + second)..];
        return detail.Length is >= 1 and <= 3 && AllDigits(subject) && AllDigits(detail) ? Intern(text) : null;
    }

    /// <summary>Reads a recipient address and its (lower-cased) domain; false with a reason when it is unusable.</summary>
    public static bool TryRecipient(ReadOnlySpan<char> address, out string recipient, out string? domain, out string? error)
    {
        address = address.Trim();
        recipient = "";
        domain = null;
        if (address.IsEmpty)
        {
            error = "empty recipient";
            return false;
        }

        if (address.Length > LogFieldLimits.MaxRecipientLength)
        {
            error = "recipient too long";
            return false;
        }

        error = null;
        recipient = new string(address);
        var at = address.LastIndexOf('@');
        if (at >= 0 && at < address.Length - 1)
        {
            var name = address[(at + 1)..].TrimEnd('.');
            domain = name.IsEmpty ? null : InternLower(name);
        }

        return true;
    }

    /// <summary>A host name (an MX) lower-cased without a trailing dot; null when blank, "none" or too long.</summary>
    public static string? Host(ReadOnlySpan<char> host)
    {
        host = host.Trim().TrimEnd('.');
        if (host.IsEmpty || host.Length > LogFieldLimits.MaxHostLength || host.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return InternLower(host);
    }

    /// <summary>An IP address in its text form when the text is one; otherwise null.</summary>
    public static string? IpAddress(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty || text.Length > LogFieldLimits.MaxIpLength || !System.Net.IPAddress.TryParse(text, out _))
        {
            return null;
        }

        return Intern(text);
    }

    /// <summary>"192.0.2.1:25", "[2001:db8::1]:25", "2001:db8::1" or "192.0.2.1" → the address part.</summary>
    public static ReadOnlySpan<char> WithoutPort(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            return close > 0 ? text[1..close] : text[1..];
        }

        var colon = text.IndexOf(':');
        return colon >= 0 && colon == text.LastIndexOf(':') ? text[..colon] : text;
    }

    public static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return !text.IsEmpty;
    }

    public static bool IsBlank(string line) => line.AsSpan().IsWhiteSpace();
}
