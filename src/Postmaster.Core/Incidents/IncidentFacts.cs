namespace Postmaster.Core.Incidents;

/// <summary>
/// What the rules need to know of one incident: its state and the two things a block can rest on.
/// A listing basis clears after <see cref="IncidentPolicy.CleanChecksToResolve"/> consecutive
/// clean checks of every affected value; a rejection basis clears when the episode has ended and
/// mail to that provider is accepted again. An incident resolves when every basis it has is clear.
/// </summary>
public sealed record IncidentFacts(
    IncidentState State,
    IncidentSeverity Severity,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt = null,
    bool SeverityPinned = false,
    bool HasListings = false,
    int CleanChecks = 0,
    bool HasRejections = false,
    bool RejectionsEnded = false,
    bool AcceptedSinceEnd = false)
{
    public bool ListingsClear(IncidentPolicy policy) => !HasListings || CleanChecks >= policy.CleanChecksToResolve;

    public bool RejectionsClear => !HasRejections || (RejectionsEnded && AcceptedSinceEnd);
}
