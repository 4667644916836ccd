using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Postmaster.Core.Signals;

/// <summary>
/// An ordered list of rules that answers "the first rule, in order, whose pattern matches the text" without running
/// most of the regexes. Every pattern has strings one of which each of its matches contains
/// (<see cref="RequiredLiterals"/>); a rule whose strings are not in the text cannot match, and one vectorised
/// search says so far faster than the regex. Consecutive rules are grouped by <see cref="GroupSize"/> so that one
/// search clears a whole group for most replies (the Proofpoint rules, for a Gmail reply). Rules are still tried
/// in order, so first-match-wins is exactly that of running every regex one by one.
/// </summary>
internal sealed class RuleSet
{
    /// <summary>A reply that matches none of the 70 identifying rules costs 9 group searches; a group that may match, up to 8 rule searches.</summary>
    public const int GroupSize = 8;

    /// <summary>
    /// Per pattern, worked out once: packs are loaded once and every classifier built from them shares their regexes.
    /// Keyed by the regex object, so a rule given a new pattern never meets the old pattern's literals.
    /// </summary>
    private static readonly ConditionalWeakTable<Regex, Literals> ByPattern = new();

    private readonly Group[] _groups;

    public RuleSet(IReadOnlyList<ResponseRule> rules)
    {
        Rules = rules;
        _groups = [.. rules.Chunk(GroupSize).Select(g => new Group(g))];
    }

    public IReadOnlyList<ResponseRule> Rules { get; }

    public ResponseRule? FirstMatch(string text)
    {
        // A search ignoring case agrees with the regexes' case-insensitivity on ASCII text only (the regexes also fold
        // e.g. the Kelvin sign to 'k'): other text skips the shortcut and runs every regex.
        var ascii = Ascii.IsValid(text);
        foreach (var group in _groups)
        {
            if (group.FirstMatch(text, ascii) is { } rule)
            {
                return rule;
            }
        }

        return null;
    }

    private sealed class Group
    {
        private readonly ResponseRule[] _rules;
        private readonly Literals[] _literals;

        /// <summary>The strings of all the group's rules; null when one rule has none (any text may match it).</summary>
        private readonly SearchValues<string>? _any;

        public Group(ResponseRule[] rules)
        {
            _rules = rules;
            _literals = [.. rules.Select(r => ByPattern.GetValue(r.Pattern, static p => new Literals(RequiredLiterals.Of(p.ToString()))))];
            _any = _literals.All(l => l.Strings is not null)
                ? SearchValues.Create([.. _literals.SelectMany(l => l.Strings!).Distinct(StringComparer.Ordinal)], StringComparison.OrdinalIgnoreCase)
                : null;
        }

        public ResponseRule? FirstMatch(string text, bool ascii)
        {
            if (ascii && _any is not null && text.AsSpan().IndexOfAny(_any) < 0)
            {
                return null;
            }

            for (var i = 0; i < _rules.Length; i++)
            {
                if (!(ascii && _literals[i].Absent(text)) && _rules[i].Pattern.IsMatch(text))
                {
                    return _rules[i];
                }
            }

            return null;
        }
    }

    /// <param name="strings">Null when the pattern's required strings are unknown: it may match any text.</param>
    private sealed class Literals(IReadOnlyList<string>? strings)
    {
        private readonly SearchValues<string>? _search = strings is null ? null : SearchValues.Create([.. strings], StringComparison.OrdinalIgnoreCase);

        public IReadOnlyList<string>? Strings => strings;

        /// <summary>True when an ASCII text holds none of the strings, so the pattern cannot match it.</summary>
        public bool Absent(string text) => _search is not null && text.AsSpan().IndexOfAny(_search) < 0;
    }
}
