namespace Postmaster.Core.Incidents;

/// <summary>What to do with one piece of evidence.</summary>
public enum IncidentAction
{
    /// <summary>Nothing changes and nothing is written (a clean check of a closed incident, say).</summary>
    Ignore,

    /// <summary>Open a new incident (none was there, or the last one closed too long ago).</summary>
    Open,

    /// <summary>The same block came back within the reopen window: the closed incident opens again.</summary>
    Reopen,

    /// <summary>The evidence goes on the incident's timeline; the state stays.</summary>
    Record,

    /// <summary>Every basis of the block is clear: the incident resolves itself.</summary>
    Resolve,
}

/// <summary>
/// The rules' answer: the action, the incident's facts after it (null for <see cref="IncidentAction.Ignore"/>),
/// and the timeline entry to write (<c>kind</c> as the API spells it, and a sentence for people).
/// </summary>
public sealed record IncidentDecision(IncidentAction Action, IncidentFacts? Next, string? TimelineKind, string? Detail)
{
    public static IncidentDecision Ignore { get; } = new(IncidentAction.Ignore, null, null, null);

    /// <summary>The alert this decision raises, as PRODUCT.md names alert kinds, if any.</summary>
    public string? AlertKind => Action switch
    {
        IncidentAction.Open => "incident-opened",
        IncidentAction.Reopen => "incident-reopened",
        IncidentAction.Resolve => "incident-resolved",
        IncidentAction.Record when TimelineKind == "severity-raised" => "incident-severity-raised",
        _ => null,
    };
}
