using System.Text;

namespace Postmaster.Core.Signals;

/// <summary>
/// Strings of which every match of a rule pattern must contain at least one (ASCII, lower-case, compared ignoring
/// case): "dmarc" for <c>dmarc</c>, {"reverse dns", "ptr record"} for <c>reverse dns|ptr record</c>. A text that
/// contains none of them cannot match, which a vectorised search says far faster than running the regex. Reads the
/// pack dialect (templates/providers/README.md); anything else, or a pattern with no such strings, gives null:
/// no shortcut, never a wrong one.
/// </summary>
internal static class RequiredLiterals
{
    public static IReadOnlyList<string>? Of(string pattern)
    {
        try
        {
            var parser = new Parser(pattern);
            var result = parser.Alternation();
            return parser.AtEnd && result.Required is { Count: > 0 } required ? required.Distinct(StringComparer.Ordinal).ToList() : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <param name="Exact">The node matches exactly this text (a literal run), else null.</param>
    /// <param name="Required">Every match contains one of these, else null (unknown).</param>
    private sealed record Node(string? Exact, IReadOnlyList<string>? Required)
    {
        public static readonly Node Unknown = new(null, null);
    }

    private sealed class Parser(string pattern)
    {
        private int _at;

        public bool AtEnd => _at == pattern.Length;

        public Node Alternation()
        {
            var branches = new List<Node> { Concatenation() };
            while (_at < pattern.Length && pattern[_at] == '|')
            {
                _at++;
                branches.Add(Concatenation());
            }

            if (branches.Count == 1)
            {
                return branches[0];
            }

            // Every branch must require something, or a match may contain nothing known.
            return branches.TrueForAll(b => b.Required is not null)
                ? new Node(null, [.. branches.SelectMany(b => b.Required!)])
                : Node.Unknown;
        }

        private Node Concatenation()
        {
            var run = new StringBuilder();
            var allExact = true;
            IReadOnlyList<string>? best = null;
            void EndRun()
            {
                if (run.Length > 0)
                {
                    best = Better(best, [run.ToString()]);
                    run.Clear();
                }
            }

            while (_at < pattern.Length && pattern[_at] is not ('|' or ')'))
            {
                var atom = Quantified(Atom());
                if (atom.Exact is not null)
                {
                    run.Append(atom.Exact);
                    continue;
                }

                allExact = false;
                EndRun();
                best = Better(best, atom.Required);
            }

            var exact = allExact ? run.ToString() : null;
            EndRun();
            return new Node(exact, best);
        }

        private Node Quantified(Node atom)
        {
            if (_at >= pattern.Length)
            {
                return atom;
            }

            int min;
            switch (pattern[_at])
            {
                case '*' or '?':
                    min = 0;
                    _at++;
                    break;
                case '+':
                    min = 1;
                    _at++;
                    break;
                case '{':
                    var close = pattern.IndexOf('}', _at);
                    var bounds = close < 0 ? null : pattern[(_at + 1)..close].Split(',');
                    if (bounds is null || bounds.Length > 2 || !int.TryParse(bounds[0], System.Globalization.CultureInfo.InvariantCulture, out min))
                    {
                        throw new FormatException("unreadable {m,n}");
                    }

                    _at = close + 1;
                    break;
                default:
                    return atom;
            }

            if (_at < pattern.Length && pattern[_at] == '?')
            {
                _at++; // lazy: the same text can match
            }

            // A repeated literal is no longer one exact run, but at least one copy is there when min >= 1.
            return min == 0 ? Node.Unknown : new Node(null, atom.Exact is { Length: > 0 } e ? [e] : atom.Required);
        }

        private Node Atom()
        {
            var c = pattern[_at++];
            switch (c)
            {
                case '(':
                    if (_at + 1 < pattern.Length && pattern[_at] == '?' && pattern[_at + 1] == ':')
                    {
                        _at += 2;
                    }
                    else if (_at < pattern.Length && pattern[_at] == '?')
                    {
                        throw new FormatException("group construct outside the dialect");
                    }

                    var inner = Alternation();
                    if (_at >= pattern.Length || pattern[_at] != ')')
                    {
                        throw new FormatException("unclosed group");
                    }

                    _at++;
                    return inner;
                case '[':
                    SkipClass();
                    return Node.Unknown;
                case '.' or '^' or '$':
                    return Node.Unknown;
                case '\\':
                    if (_at >= pattern.Length)
                    {
                        throw new FormatException("trailing backslash");
                    }

                    var escaped = pattern[_at++];
                    if (char.IsAsciiLetterOrDigit(escaped))
                    {
                        // \d \s \w and their negations are classes; any other letter escape is outside the dialect.
                        return escaped is 'd' or 's' or 'w' or 'D' or 'S' or 'W' ? Node.Unknown : throw new FormatException("escape outside the dialect");
                    }

                    return Literal(escaped);
                case ')' or '|' or '*' or '+' or '?' or '{':
                    throw new FormatException("misplaced metacharacter");
                default:
                    return Literal(c);
            }
        }

        /// <summary>Only ASCII literals: regex case-insensitivity and ordinal ignore-case agree there.</summary>
        private static Node Literal(char c) => char.IsAscii(c) ? new Node(char.ToLowerInvariant(c).ToString(), null) : Node.Unknown;

        private void SkipClass()
        {
            if (_at < pattern.Length && pattern[_at] == '^')
            {
                _at++;
            }

            if (_at < pattern.Length && pattern[_at] == ']')
            {
                _at++;
            }

            while (_at < pattern.Length && pattern[_at] != ']')
            {
                _at += pattern[_at] == '\\' ? 2 : 1;
            }

            if (_at >= pattern.Length)
            {
                throw new FormatException("unclosed class");
            }

            _at++;
        }

        /// <summary>The more selective requirement: the longer shortest string, then fewer strings.</summary>
        private static IReadOnlyList<string>? Better(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
        {
            if (a is null || a.Count == 0)
            {
                return b is { Count: > 0 } ? b : null;
            }

            if (b is null || b.Count == 0)
            {
                return a;
            }

            int Shortest(IReadOnlyList<string> s) => s.Min(x => x.Length);
            return Shortest(b) > Shortest(a) || (Shortest(b) == Shortest(a) && b.Count < a.Count) ? b : a;
        }
    }
}
