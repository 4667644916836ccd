using System.Globalization;

namespace Postmaster.Core.Posture;

/// <summary>
/// The Public Suffix List's rules (publicsuffix.org: plain, wildcard <c>*.ck</c> and exception
/// <c>!www.ck</c> rules, the longest match prevailing, exceptions first, <c>*</c> when nothing
/// matches), for the organisational domain of RFC 7489 §3.2: the public suffix plus one label.
/// Without the list, <see cref="LastTwoLabels"/> keeps the old guess, which is wrong under
/// two-label suffixes (example.co.uk's subdomains would be looked up at co.uk).
/// </summary>
public sealed class PublicSuffixes
{
    private readonly HashSet<string> _rules;
    private readonly HashSet<string> _wildcards;
    private readonly HashSet<string> _exceptions;

    private PublicSuffixes(HashSet<string> rules, HashSet<string> wildcards, HashSet<string> exceptions, bool fromList)
    {
        (_rules, _wildcards, _exceptions, FromList) = (rules, wildcards, exceptions, fromList);
    }

    /// <summary>No list: every top-level label is a suffix, so the organisational domain is the last two labels.</summary>
    public static PublicSuffixes LastTwoLabels { get; } = new([], [], [], fromList: false);

    /// <summary>Whether the rules came from a list (false: <see cref="LastTwoLabels"/>).</summary>
    public bool FromList { get; }

    public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

    /// <summary>Reads the list's text format: one rule per line, the first word of it; <c>//</c> comments; Unicode rules kept in their ASCII (A-label) form.</summary>
    public static PublicSuffixes Parse(TextReader reader)
    {
        var (rules, wildcards, exceptions) = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        var idn = new IdnMapping();
        while (reader.ReadLine() is { } line)
        {
            var rule = line.Trim();
            var space = rule.IndexOfAny([' ', '\t']);
            rule = space < 0 ? rule : rule[..space];
            if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            var (set, name) = rule switch
            {
                ['!', .. var rest] => (exceptions, rest),
                ['*', '.', .. var rest] => (wildcards, rest),
                _ => (rules, rule),
            };
            if (Ascii(name, idn) is { } ascii)
            {
                set.Add(ascii);
            }
        }

        return new PublicSuffixes(rules, wildcards, exceptions, fromList: true);
    }

    /// <summary>
    /// The organisational domain of <paramref name="domain"/>: its public suffix and one more label
    /// (mail.example.co.uk → example.co.uk); null when the domain is itself a public suffix.
    /// </summary>
    public string? OrganisationalDomain(string domain)
    {
        var labels = domain.Trim().TrimEnd('.').ToLowerInvariant().Split('.');
        if (labels.Any(l => l.Length == 0))
        {
            return null;
        }

        var suffixLabels = SuffixLabels(labels);
        return labels.Length > suffixLabels ? string.Join('.', labels[^(suffixLabels + 1)..]) : null;
    }

    /// <summary>How many of the labels, from the right, the prevailing rule makes the public suffix.</summary>
    private int SuffixLabels(string[] labels)
    {
        // From the longest candidate down: the first rule that matches is the longest, hence the prevailing one.
        for (var i = 0; i < labels.Length; i++)
        {
            var candidate = string.Join('.', labels[i..]);
            if (_exceptions.Contains(candidate))
            {
                return labels.Length - i - 1; // an exception: the suffix is the rule without its first label
            }

            if (_rules.Contains(candidate) || (i + 1 < labels.Length && _wildcards.Contains(string.Join('.', labels[(i + 1)..]))))
            {
                return labels.Length - i;
            }
        }

        return 1; // the implicit "*" rule
    }

    private static string? Ascii(string name, IdnMapping idn)
    {
        try
        {
            return idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null; // not a name IDNA accepts: no domain can match it either
        }
    }
}
