namespace Postmaster.Core.Requests;

/// <summary>One submitted request as outcomes count it: its provider and kind, its last word, and when its block ended.</summary>
public sealed record RequestOutcomeFacts(string Provider, RequestKind Kind, RequestStatus Status, DateTimeOffset SubmittedAt, DateTimeOffset? BlockEndedAt);

/// <summary>Per provider and kind: requests sent, accepted and denied, and the median time from submission to the block ending.</summary>
public sealed record RequestOutcome(string Provider, RequestKind Kind, int Sent, int Accepted, int Denied, TimeSpan? MedianToEnd)
{
    /// <summary>"7 requests, 4 accepted, median 31 h" (the median is left out until a block has ended after a request).</summary>
    public string Summary()
    {
        var text = $"{Sent} request{(Sent == 1 ? "" : "s")}, {Accepted} accepted";
        if (Denied > 0)
        {
            text += $", {Denied} denied";
        }

        return MedianToEnd is { } median ? $"{text}, median {Hours(median)}" : text;
    }

    private static string Hours(TimeSpan span) => span.TotalHours < 48
        ? $"{Math.Round(span.TotalHours, MidpointRounding.AwayFromZero):0} h"
        : $"{Math.Round(span.TotalDays, 1, MidpointRounding.AwayFromZero):0.#} d";

    /// <summary>Counts requests by provider and kind; the median only over the blocks that ended after the request went out.</summary>
    public static IReadOnlyList<RequestOutcome> Of(IEnumerable<RequestOutcomeFacts> requests) =>
        requests
            .GroupBy(r => (r.Provider, r.Kind))
            .Select(g => new RequestOutcome(
                g.Key.Provider,
                g.Key.Kind,
                g.Count(),
                g.Count(r => r.Status == RequestStatus.Accepted),
                g.Count(r => r.Status == RequestStatus.Denied),
                Median(g.Where(r => r.BlockEndedAt > r.SubmittedAt).Select(r => r.BlockEndedAt!.Value - r.SubmittedAt).ToList())))
            .OrderBy(o => o.Provider, StringComparer.Ordinal)
            .ThenBy(o => o.Kind)
            .ToList();

    private static TimeSpan? Median(List<TimeSpan> spans)
    {
        if (spans.Count == 0)
        {
            return null;
        }

        spans.Sort();
        var middle = spans.Count / 2;
        return spans.Count % 2 == 1 ? spans[middle] : (spans[middle - 1] + spans[middle]) / 2;
    }
}
