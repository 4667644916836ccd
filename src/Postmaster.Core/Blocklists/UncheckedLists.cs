using System.Globalization;

namespace Postmaster.Core.Blocklists;

/// <summary>A list whose health check failed, so nothing it says is used.</summary>
public sealed record UncheckedList(string Name, string Zone, string Provider, ListHealth Health);

/// <summary>
/// Says why lists could not be checked: one sentence per cause, not one per list. Nineteen lists that
/// all got NXDOMAIN from the same resolver are one problem with one fix, and the sentence names the
/// resolver, what it answered and what to do.
/// </summary>
public static class UncheckedLists
{
    private const int NamesShown = 5;

    /// <param name="lists">The lists that failed their health check.</param>
    /// <param name="resolver">Which resolver was asked, as <see cref="DnsblResolver.Description"/> says it.</param>
    public static IReadOnlyList<string> Explain(IReadOnlyList<UncheckedList> lists, string resolver)
    {
        var sentences = new List<string>();
        foreach (var group in lists.GroupBy(l => (l.Health.Cause, l.Health.Answered)).OrderByDescending(g => g.Count()))
        {
            var members = group.ToList();
            var (cause, answered) = group.Key;
            var subject = Subject(members);
            var their = members.Count == 1 ? "its" : "their";
            var them = members.Count == 1 ? "it" : "them";
            var dqs = members.Any(m => m.Provider == "spamhaus")
                ? " Spamhaus also answers, through any resolver that reaches it, queries made with a DQS key (enable the catalog's Spamhaus DQS lists and set the key)."
                : "";
            switch (cause)
            {
                case ListHealthCause.TestPointMissing:
                    sentences.Add($"The resolver {resolver} answered {answered} for the listed test point of {subject}: it does not reach {them} (no Internet access, or a filtering or public resolver). " +
                        $"Point Postmaster:Dns:Servers at a local recursive resolver (unbound, for example) that asks the lists' own name servers.{dqs}");
                    break;
                case ListHealthCause.Refused:
                    sentences.Add($"The resolver {resolver} answered {answered} for the test points of {subject}: it refuses to resolve {them}, or {(members.Count == 1 ? "the list refuses" : "the lists refuse")} it (Spamhaus and others refuse public and shared resolvers). " +
                        $"Run a local recursive resolver and name it in Postmaster:Dns:Servers.{dqs}");
                    break;
                case ListHealthCause.NoAnswer:
                    sentences.Add($"The resolver {resolver} gave no usable answer ({answered}) for the test points of {subject}. " +
                        "Check that it runs and can reach the Internet, or point Postmaster:Dns:Servers at a local recursive resolver that can.");
                    break;
                case ListHealthCause.ListsEverything:
                    sentences.Add($"{Capitalised(subject)} answered \"listed\" ({answered}) for 127.0.0.1, which must never be listed: broken, lapsed or listing everything, so {their} answers are not trusted. " +
                        $"Disable {them} in the catalog if this lasts.");
                    break;
                case ListHealthCause.AnswerOutsideLoopback:
                    sentences.Add($"{Capitalised(subject)} answered {answered}, outside 127.0.0.0/8 (a lapsed zone's wildcard), so {their} answers are not trusted. " +
                        $"Disable {them} in the catalog if this lasts.");
                    break;
                default:
                    sentences.AddRange(members.Select(m => m.Health.Detail));
                    break;
            }
        }

        return sentences;
    }

    /// <summary>"Spamhaus ZEN", or "19 lists (Spamhaus ZEN, SpamCop, … and 14 more)".</summary>
    private static string Subject(List<UncheckedList> members)
    {
        if (members.Count == 1)
        {
            return members[0].Name;
        }

        var names = string.Join(", ", members.Take(NamesShown).Select(m => m.Name));
        var more = members.Count > NamesShown ? string.Create(CultureInfo.InvariantCulture, $" and {members.Count - NamesShown} more") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{members.Count} lists ({names}{more})");
    }

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
