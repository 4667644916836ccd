using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Postmaster.Core.Posture;

/// <summary>DNS text (TXT records, PTR names) is written by others: printable, bounded, and marked where it was cut.</summary>
public static class PostureText
{
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Bound(string? text, int max)
    {
        if (text is null)
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text)
        {
            if (builder.Length >= max)
            {
                return builder.Append('…').ToString();
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString();
    }

    /// <summary>"a, b and 3 more": a list in a sentence that never grows without bound.</summary>
    public static string List(IReadOnlyCollection<string> items, int shown = 5)
    {
        var head = items.Take(shown).ToList();
        var more = items.Count - head.Count;
        return more > 0 ? $"{string.Join(", ", head)} and {more:N0} more" : string.Join(", ", head);
    }
}
