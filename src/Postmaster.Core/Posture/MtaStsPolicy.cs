namespace Postmaster.Core.Posture;

/// <summary>An MTA-STS policy file (RFC 8461 §3.2): mode, the MX patterns it names, and max_age.</summary>
public sealed record MtaStsPolicy(string Mode, IReadOnlyList<string> MxPatterns, long MaxAge)
{
    /// <summary>The id of the <c>_mta-sts</c> TXT record (RFC 8461 §3.1), or the error that makes it no record.</summary>
    public static (string? Id, string? Error) ParseRecord(string text)
    {
        if (!text.StartsWith("v=STSv1", StringComparison.Ordinal))
        {
            return (null, "it does not start with v=STSv1");
        }

        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("id=", StringComparison.Ordinal))
            {
                var id = part[3..];
                return id.Length is > 0 and <= 32 && id.All(char.IsAsciiLetterOrDigit) ? (id, null) : (null, "its id= is not 1 to 32 letters and digits");
            }
        }

        return (null, "it has no id=");
    }

    public static (MtaStsPolicy? Policy, string? Error) Parse(string text)
    {
        string? version = null;
        string? mode = null;
        long? maxAge = null;
        var mx = new List<string>();
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = raw[..colon].Trim();
            var value = raw[(colon + 1)..].Trim();
            switch (key)
            {
                case "version":
                    version = value;
                    break;
                case "mode":
                    mode = value;
                    break;
                case "max_age" when long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var age):
                    maxAge = age;
                    break;
                case "mx" when mx.Count < 100:
                    mx.Add(value.ToLowerInvariant());
                    break;
            }
        }

        if (version != "STSv1")
        {
            return (null, "it has no version: STSv1 line");
        }

        if (mode is not ("enforce" or "testing" or "none"))
        {
            return (null, "its mode is not enforce, testing or none");
        }

        if (maxAge is null)
        {
            return (null, "it has no max_age");
        }

        return mode != "none" && mx.Count == 0 ? (null, "it names no mx") : (new MtaStsPolicy(mode, mx, maxAge.Value), null);
    }

    /// <summary>Whether an MX host matches one of the policy's patterns; "*." covers exactly one label (RFC 8461 §4.1).</summary>
    public bool Covers(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        return MxPatterns.Any(p => p.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(p[1..], StringComparison.Ordinal) && !host[..^(p.Length - 1)].Contains('.', StringComparison.Ordinal) && host.Length > p.Length - 1
            : host == p);
    }
}
