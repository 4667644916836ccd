using Postmaster.Core.Incidents;

namespace Postmaster.Core.Requests;

/// <summary>
/// How a request moves, and how it moves its incident (PRODUCT.md, "How a request moves its
/// incident"). Pure: the app loads the request and its incident, asks, and applies the answer in
/// one incident turn with the timeline line and the audit entry.
/// </summary>
public static class RequestRules
{
    /// <summary>Business days to wait before chasing when neither the template nor the pack says (PRODUCT.md: Monday to Friday).</summary>
    public const int DefaultFollowUpDays = 5;

    /// <summary>Why a request cannot go from <paramref name="from"/> to <paramref name="to"/>, or null when it can.</summary>
    public static string? Refuse(RequestStatus from, RequestStatus to) => (from, to) switch
    {
        _ when from == to && to != RequestStatus.Replied => null, // nothing to move; other fields may still change
        (RequestStatus.Draft, RequestStatus.Submitted) => null,
        (RequestStatus.Submitted or RequestStatus.Replied, RequestStatus.Replied or RequestStatus.Accepted or RequestStatus.Denied) => null,
        (RequestStatus.Draft, _) => $"The request is still a draft: submit it first (send it, or mark it submitted once it went out through the form), then record what the provider said.",
        (RequestStatus.Accepted or RequestStatus.Denied, _) => $"The request is {from.ToApi()}: that is its last word. Draft a new request (a follow-up) to ask again.",
        (_, RequestStatus.Draft) => "A submitted request cannot go back to draft: what went out, went out. Draft a new one instead.",
        _ => $"A request goes {RequestNames.StatusNames.Replace(", ", " → ", StringComparison.Ordinal)}; {from.ToApi()} → {to.ToApi()} is not a step of that.",
    };

    /// <summary>
    /// Where the incident goes when one of its requests becomes <paramref name="to"/>; null when it stays.
    /// Only an active incident moves. A denial reopens the incident only when no other request of it
    /// is still waiting for an answer.
    /// </summary>
    public static IncidentState? IncidentAfter(RequestStatus to, IncidentState current, bool othersAwaitingReply) => (to, current) switch
    {
        _ when !current.IsActive() => null,
        (RequestStatus.Draft, IncidentState.Open) => IncidentState.Requested,
        (RequestStatus.Submitted, IncidentState.Open or IncidentState.Requested) => IncidentState.AwaitingReply,
        (RequestStatus.Denied, IncidentState.Requested or IncidentState.AwaitingReply) when !othersAwaitingReply => IncidentState.Open,
        _ => null,
    };

    /// <summary>
    /// When to chase a request submitted at <paramref name="submittedAt"/>: after the provider's
    /// follow-up cadence in business days, or for a list that expires by itself at its expiry.
    /// </summary>
    public static DateTimeOffset FollowUpAt(DateTimeOffset submittedAt, RequestChannel channel, int followUpDays, int? expiresAfterHours) =>
        channel == RequestChannel.AutoExpiry && expiresAfterHours is { } hours
            ? submittedAt.AddHours(hours)
            : BusinessDays.Add(submittedAt, followUpDays);

    /// <summary>
    /// What a due follow-up is: <c>reply-overdue</c> when the provider was to answer and has not;
    /// otherwise <c>follow-up-due</c> (a reply to chase, an expiry to verify). Never reply-overdue
    /// for auto-expiry or self-service "requests", which nobody answers.
    /// </summary>
    public static string DueKind(RequestStatus status, RequestChannel channel) =>
        status == RequestStatus.Submitted && channel.ExpectsReply() ? Alerts.AlertKinds.ReplyOverdue : Alerts.AlertKinds.FollowUpDue;
}

/// <summary>Monday to Friday (PRODUCT.md, "Retention and time"), counted in UTC.</summary>
public static class BusinessDays
{
    /// <summary>
    /// <paramref name="days"/> business days after <paramref name="from"/>, at the same time of day.
    /// A start on a weekend counts from the next Monday's same time.
    /// </summary>
    public static DateTimeOffset Add(DateTimeOffset from, int days)
    {
        var at = from.ToUniversalTime();
        while (IsWeekend(at))
        {
            at = at.AddDays(1);
        }

        for (var added = 0; added < days;)
        {
            at = at.AddDays(1);
            if (!IsWeekend(at))
            {
                added++;
            }
        }

        return at;
    }

    private static bool IsWeekend(DateTimeOffset at) => at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
}
