namespace Postmaster.Core.Blocklists;

/// <summary>A transition of a (value, list) listing: what goes into a listing event.</summary>
public enum ListingChange
{
    Listed,
    Delisted,
    CodesChanged,
}

/// <summary>What one answer means for what is known of a listing, before anything is written.</summary>
public enum ListingStep
{
    /// <summary>Nothing to do: not listed and not known as listed, or unknown (which never flips a state).</summary>
    None,

    /// <summary>Listed as known, with the same codes: only "last seen" moves.</summary>
    StillListed,

    /// <summary>Listed as known, with other codes: recorded without a second query (both were answers of the list).</summary>
    CodesChanged,

    /// <summary>A flip (newly listed, or delisted): a second query must agree before it is recorded.</summary>
    Confirm,
}

/// <summary>The stored state of one listing.</summary>
public sealed record ListingRow(
    bool Active,
    string Codes,
    string Categories,
    string? Reason,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset LastChecked,
    DateTimeOffset? DelistedAt)
{
    public static ListingRow None { get; } = new(false, "", "", null, default, default, default, null);
}

/// <summary>
/// The listing transition rules (PRODUCT.md, "Rules that protect users from false alarms"):
/// unknown never changes a listing; a flip needs a second, agreeing answer; a value listed again
/// after a delisting starts a new episode with its own first-seen time.
/// </summary>
public static class ListingRules
{
    public static ListingStep Classify(ListingRow? known, BlocklistVerdict verdict) => verdict.Outcome switch
    {
        ListingOutcome.Listed when known is not { Active: true } => ListingStep.Confirm,
        ListingOutcome.Listed when known.Codes != verdict.CodesText => ListingStep.CodesChanged,
        ListingOutcome.Listed => ListingStep.StillListed,
        ListingOutcome.NotListed when known is { Active: true } => ListingStep.Confirm,
        _ => ListingStep.None,
    };

    /// <summary>
    /// The row after a confirmed answer, and the event to record; null when the answer changes
    /// nothing (unknown, or not listed and not known as listed).
    /// </summary>
    public static (ListingChange Change, ListingRow Next)? Apply(ListingRow? known, BlocklistVerdict confirmed, string? reason, DateTimeOffset now)
    {
        var row = known ?? ListingRow.None;
        switch (confirmed.Outcome)
        {
            case ListingOutcome.NotListed when row.Active:
                return (ListingChange.Delisted, row with { Active = false, DelistedAt = now, LastChecked = now });
            case ListingOutcome.Listed:
                var change = row.Active ? ListingChange.CodesChanged : ListingChange.Listed;
                var next = row with
                {
                    Active = true,
                    Codes = confirmed.CodesText,
                    Categories = string.Join(",", confirmed.Categories),
                    Reason = reason,
                    FirstSeen = row.Active ? row.FirstSeen : now, // listed again: a new episode
                    DelistedAt = null,
                    LastSeen = now,
                    LastChecked = now,
                };
                return (change, next);
            default:
                return null;
        }
    }
}
