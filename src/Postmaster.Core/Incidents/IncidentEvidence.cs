using Postmaster.Core.Signals;

namespace Postmaster.Core.Incidents;

/// <summary>Something that happened to the block an incident is about, in the order it happened.</summary>
public abstract record IncidentEvidence(DateTimeOffset At)
{
    /// <summary>A block starting or going on: what opens or reopens an incident.</summary>
    public virtual bool IsBlock => false;
}

/// <summary>A value was confirmed listed on one of the operator's zones, or its codes changed.</summary>
public sealed record ValueListed(DateTimeOffset At, string Value, string Zone, string Codes, bool CodesChanged = false) : IncidentEvidence(At)
{
    public override bool IsBlock => true;
}

/// <summary>A value was confirmed no longer listed on a zone (a second query agreed).</summary>
public sealed record ValueDelisted(DateTimeOffset At, string Value, string Zone) : IncidentEvidence(At);

/// <summary>
/// A sweep run that ended and asked about this incident's values. <paramref name="ListsChecked"/>
/// is false when any zone the incident is about was skipped (quarantined, refusing, out of budget)
/// or answered unknown for an affected value: then the run says nothing either way.
/// </summary>
public sealed record SweepEnded(DateTimeOffset At, long RunId, bool ListsChecked, int StillListed) : IncidentEvidence(At);

/// <summary>A provider is refusing mail from a source IP (an episode opened or carries on).</summary>
public sealed record RejectionsSeen(DateTimeOffset At, string SourceIp, string Receiver, SignalKind Kind, string? CitedZone = null) : IncidentEvidence(At)
{
    public override bool IsBlock => true;
}

/// <summary>The rejections stopped long enough for the episode to end.</summary>
public sealed record RejectionsEnded(DateTimeOffset At, string SourceIp) : IncidentEvidence(At);

/// <summary>The provider accepted mail from the source IP again.</summary>
public sealed record DeliveriesAccepted(DateTimeOffset At, string SourceIp) : IncidentEvidence(At);
