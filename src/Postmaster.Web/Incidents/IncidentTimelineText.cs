using System.Globalization;

namespace Postmaster.Web.Incidents;

/// <summary>The sentence of a timeline line that stands for many values ("65,536 addresses listed on zen.spamhaus.org.").</summary>
public static class IncidentTimelineText
{
    /// <summary>What an incident opened by the upgrade's backfill says about itself: it is not news.</summary>
    public const string AlreadyActive = "Already active when incident tracking was introduced (no alert).";

    public static string Folded(string kind, int count, TimelineFold fold)
    {
        var text = Sentence(kind, count, fold);
        return fold.Backfilled && kind == "opened" ? $"{text} {AlreadyActive}" : text;
    }

    private static string Sentence(string kind, int count, TimelineFold fold)
    {
        var things = fold.Domains ? (count == 1 ? "domain" : "domains") : (count == 1 ? "address" : "addresses");
        var n = string.Create(CultureInfo.InvariantCulture, $"{count:N0} {things}"); // "65,536" whatever the server's locale
        var source = fold.Source;
        if (fold.Rejections)
        {
            return kind switch
            {
                "opened" => $"Opened: {source} refuses mail from {n}.",
                "reopened" => $"Reopened: {source} refuses mail from {n} again.",
                "rejections-ended" => $"{source}: rejections stopped for {n}.",
                _ => $"{source} refuses mail from {n}.",
            };
        }

        return kind switch
        {
            "opened" => $"Opened: {n} listed on {source}.",
            "reopened" => $"Reopened: {n} listed again on {source}.",
            "delisted" => $"{n} no longer listed on {source}.",
            "codes-changed" => $"{n} answered other codes on {source}.",
            "evidence" => $"{n} listed on {source} (the incident stays wont-fix).",
            _ => $"{n} listed on {source}.",
        };
    }
}
