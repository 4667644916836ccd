using Postmaster.Core.Incidents;
using Postmaster.Web.Incidents;

namespace Postmaster.Bench.Incidents;

/// <summary>
/// The timeline lines of generated incidents, streamed (a million rows never sit in memory): the
/// opening line, what sweeps, rejections and people did in between, in time order, and the line
/// that closed it or put it in its current state. Folded lines read as the engine writes them
/// (<see cref="IncidentTimelineText"/>). Each incident's lines come from a generator seeded by its
/// id, so the output does not depend on how the rows are batched.
/// </summary>
internal static class IncidentTimelines
{
    private static readonly string[] Notes =
    [
        "Paused the campaign on this pool until the listing clears.",
        "Customer confirmed a compromised form; captcha added.",
        "Asked the sender to re-confirm the list before the next send.",
        "Warm-up schedule halved for this range.",
        "Reputation dashboard shows spam complaints above 0.3 % on Tuesday.",
        "Moved the customer to a dedicated IP.",
        "Delisting form submitted; the operator says 24 h.",
        "Bounce handling fixed: old addresses were being retried.",
    ];

    public static IEnumerable<IncidentTimelineEntry> Lines(IReadOnlyList<IncidentStory> stories, int seed)
    {
        long id = 0;
        foreach (var story in stories)
        {
            foreach (var line in Lines(story, seed))
            {
                line.Id = ++id;
                yield return line;
            }
        }
    }

    private static IEnumerable<IncidentTimelineEntry> Lines(IncidentStory story, int seed)
    {
        var incident = story.Incident;
        var rng = new Random(HashCode.Combine(seed, incident.Id));
        var source = story.Values.Count > 0 ? story.Values[0].Source : incident.Provider;
        var domains = story.Values.Count > 0 && !char.IsAsciiDigit(story.Values[0].Value[0]);
        var count = Math.Max(1, story.Values.Select(v => v.Value).Distinct().Count());
        var user = incident.Assignee ?? BenchInventory.Responders[0];

        // Times: the first line when it opened, the last at its last activity, the rest sorted in between.
        var lines = story.TimelineLines;
        var span = (incident.LastActivityAt - incident.OpenedAt).TotalSeconds;
        var times = new double[Math.Max(0, lines - 2)];
        for (var i = 0; i < times.Length; i++)
        {
            times[i] = Math.Round(span * rng.NextDouble());
        }

        Array.Sort(times);
        var run = (int)(incident.Id * 3);

        yield return Line(incident, incident.OpenedAt, "opened", "system",
            IncidentTimelineText.Folded("opened", count, Fold(source, run, domains, story.Listing)), count, Key("seen", Fold(source, run, domains, story.Listing)));
        foreach (var t in times)
        {
            run++;
            var at = incident.OpenedAt + TimeSpan.FromSeconds(t);
            yield return Middle(story, rng, at, source, run, domains, count, user);
        }

        var end = incident.LastActivityAt;
        yield return incident.State switch
        {
            IncidentState.Resolved => Line(incident, end, "resolved", "system",
                story.Listing
                    ? "Resolved: every affected value was clean for 2 checks in a row."
                    : $"Resolved: mail from {incident.GroupValue} is accepted again.", 1, null),
            IncidentState.WontFix => Line(incident, end, "wont-fix", $"user:{user}",
                "Won't fix: a former customer's address; it no longer sends for us.", 1, null),
            IncidentState.Requested => Line(incident, end, "state", $"user:{user}",
                $"State: requested. Delisting request sent to {incident.Provider}.", 1, null),
            IncidentState.AwaitingReply => Line(incident, end, "state", $"user:{user}",
                $"State: awaiting-reply. {incident.Provider} answered with a ticket number; waiting for their review.", 1, null),
            _ => Line(incident, end, story.Listing ? "listed" : "rejections", "system",
                IncidentTimelineText.Folded(story.Listing ? "listed" : "rejections", count, Fold(source, run + 1, domains, story.Listing)),
                count, Key("seen", Fold(source, run + 1, domains, story.Listing))),
        };
    }

    private static IncidentTimelineEntry Middle(IncidentStory story, Random rng, DateTimeOffset at, string source, int run, bool domains, int count, string user)
    {
        var incident = story.Incident;
        var fold = Fold(source, run, domains, story.Listing);
        var some = 1 + rng.Next(count);
        var u = rng.NextDouble();
        if (u < 0.12)
        {
            return Line(incident, at, "note", $"user:{user}", Notes[rng.Next(Notes.Length)], 1, null);
        }

        if (u < 0.17)
        {
            return Line(incident, at, "assigned", $"user:{BenchInventory.Responders[rng.Next(BenchInventory.Responders.Length)]}", $"Assigned to {user}.", 1, null);
        }

        if (u < 0.22)
        {
            var raised = rng.NextDouble() < 0.6;
            return Line(incident, at, raised ? "severity-raised" : "severity-lowered", "system",
                $"Severity {(raised ? "raised" : "lowered")} to {incident.Severity.ToString().ToLowerInvariant()}: {some:N0} of {incident.GroupSize:N0} addresses blocked.", 1, null);
        }

        if (story.Listing)
        {
            var kind = u < 0.32 ? "delisted" : u < 0.37 ? "codes-changed" : u < 0.45 ? "clean-check" : "listed";
            return kind == "clean-check"
                ? Line(incident, at, kind, "system", "Clean check 1 of 2: no affected value listed.", 1, null)
                : Line(incident, at, kind, "system", IncidentTimelineText.Folded(kind, some, fold), some, Key(kind == "listed" ? "seen" : kind, fold));
        }

        var rejectionKind = u < 0.32 ? "rejections-ended" : u < 0.36 ? "mail-accepted" : u < 0.45 ? "evidence" : "rejections";
        return rejectionKind == "mail-accepted"
            ? Line(incident, at, rejectionKind, "system", $"Mail from {incident.GroupValue} is accepted again.", 1, null)
            : Line(incident, at, rejectionKind, "system", IncidentTimelineText.Folded(rejectionKind, some, fold), some,
                Key(rejectionKind == "rejections" ? "seen" : rejectionKind, fold));
    }

    private static TimelineFold Fold(string source, int run, bool domains, bool listing) =>
        new(source, listing ? $"run {run}" : $"batch {run}", domains, Rejections: !listing);

    /// <summary>The engine's merge key: change family, list or receiver, run or batch.</summary>
    private static string Key(string family, TimelineFold fold) => $"{family}|{fold.Source}|{fold.Batch}";

    private static IncidentTimelineEntry Line(Incident incident, DateTimeOffset at, string kind, string actor, string detail, int count, string? mergeKey) => new()
    {
        IncidentId = incident.Id,
        At = at,
        Kind = kind,
        Actor = actor,
        Detail = detail,
        Count = count,
        MergeKey = mergeKey,
    };
}
