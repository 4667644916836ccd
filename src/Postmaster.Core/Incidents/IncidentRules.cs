using Postmaster.Core.Signals;

namespace Postmaster.Core.Incidents;

/// <summary>
/// How evidence moves an incident, as PRODUCT.md's Incident row and "Rules that protect users
/// from false alarms" say. Pure: the database edge loads the incident (or none) for the
/// evidence's provider and asset group, asks, and applies the answer in the same transaction
/// that marks the evidence processed.
/// </summary>
public static class IncidentRules
{
    public static IncidentDecision Decide(
        IncidentFacts? current, IncidentEvidence evidence, IncidentPolicy policy, IncidentSeverity openingSeverity = IncidentSeverity.Medium)
    {
        if (current is null)
        {
            return evidence.IsBlock ? Open(evidence, openingSeverity) : IncidentDecision.Ignore;
        }

        if (!current.State.IsActive())
        {
            return Closed(current, evidence, policy, openingSeverity);
        }

        return evidence switch
        {
            ValueListed listed => Record(
                current with { HasListings = true, CleanChecks = 0 },
                listed.CodesChanged ? "codes-changed" : "listed",
                Describe(listed)),
            ValueDelisted delisted => Record(current, "delisted", $"{delisted.Value} is no longer listed on {delisted.Zone}."),
            SweepEnded sweep => AfterSweep(current, sweep, policy),
            RejectionsSeen seen => Record(
                current with { HasRejections = true, RejectionsEnded = false, AcceptedSinceEnd = false },
                "rejections",
                Describe(seen)),
            RejectionsEnded ended when current.HasRejections && !current.RejectionsEnded => Record(
                current with { RejectionsEnded = true, AcceptedSinceEnd = false },
                "rejections-ended",
                $"No more rejections for {ended.SourceIp}; waiting for mail to be accepted again."),
            DeliveriesAccepted accepted when current is { HasRejections: true, RejectionsEnded: true, AcceptedSinceEnd: false } =>
                ResolveIfClear(current with { AcceptedSinceEnd = true }, policy, "mail-accepted", $"Mail from {accepted.SourceIp} is accepted again.", accepted.At),
            _ => IncidentDecision.Ignore,
        };
    }

    /// <summary>
    /// The severity the rules would give now, settled once per sweep run or ingest batch (not per
    /// chunk, so one sweep cannot raise it three times). A person's override stays.
    /// </summary>
    public static IncidentDecision Settle(IncidentFacts current, IncidentSeverity assessed)
    {
        if (current.SeverityPinned || current.Severity == assessed || !current.State.IsActive())
        {
            return IncidentDecision.Ignore;
        }

        var raised = assessed > current.Severity;
        return new IncidentDecision(
            IncidentAction.Record,
            current with { Severity = assessed },
            raised ? "severity-raised" : "severity-lowered",
            $"Severity {Name(current.Severity)} → {Name(assessed)}.");
    }

    /// <summary>
    /// A person changing the state. Resolution is not theirs to give: it needs clean checks
    /// (PRODUCT.md: "an accepted request alone resolves nothing"); <c>wont-fix</c> is how a person
    /// stops working on a block.
    /// </summary>
    public static StateChange Change(IncidentFacts current, IncidentState to, DateTimeOffset at)
    {
        if (to == current.State)
        {
            return new StateChange(null, null);
        }

        if (to == IncidentState.Resolved)
        {
            return new StateChange(null,
                "An incident resolves itself when its checks come back clean (or mail is accepted again); mark it wont-fix to stop working on it.");
        }

        var next = to switch
        {
            IncidentState.WontFix => current with { State = to, ClosedAt = at },
            _ when !current.State.IsActive() => current with { State = to, ClosedAt = null, CleanChecks = 0 },
            _ => current with { State = to },
        };
        return new StateChange(next, null);
    }

    private static IncidentDecision Closed(IncidentFacts current, IncidentEvidence evidence, IncidentPolicy policy, IncidentSeverity openingSeverity)
    {
        if (!evidence.IsBlock)
        {
            return IncidentDecision.Ignore;
        }

        var closedAt = current.ClosedAt ?? current.OpenedAt;
        if (evidence.At - closedAt > policy.ReopenWithin)
        {
            return Open(evidence, openingSeverity); // a new block, long after the last one: its own incident
        }

        if (current.State == IncidentState.WontFix)
        {
            // A person decided not to work on this block: keep the evidence, do not reopen it on them.
            return Record(Joined(current, evidence), "evidence", Describe(evidence));
        }

        var reopened = Joined(current, evidence) with { State = IncidentState.Open, ClosedAt = null, CleanChecks = 0 };
        var why = evidence is ValueListed ? "Relisted" : "Rejections returned";
        return new IncidentDecision(IncidentAction.Reopen, reopened, "reopened", $"{why}: {Describe(evidence)}");
    }

    private static IncidentDecision AfterSweep(IncidentFacts current, SweepEnded sweep, IncidentPolicy policy)
    {
        if (!current.HasListings || !sweep.ListsChecked)
        {
            return IncidentDecision.Ignore; // unknown is never clean, and never resets a streak either
        }

        if (sweep.StillListed > 0)
        {
            return current.CleanChecks == 0
                ? IncidentDecision.Ignore
                : new IncidentDecision(IncidentAction.Record, current with { CleanChecks = 0 }, null, null);
        }

        var next = current with { CleanChecks = current.CleanChecks + 1 };
        if (current.CleanChecks >= policy.CleanChecksToResolve)
        {
            // The listings have been clean for a while and the incident waits for mail to flow: the
            // timeline said so at the last counted check, and a sweep every few minutes must not
            // repeat it for as long as the rejections last.
            return new IncidentDecision(IncidentAction.Record, next, null, null);
        }

        return ResolveIfClear(next, policy, "clean-check",
            $"Sweep #{sweep.RunId}: every affected value clean ({Math.Min(next.CleanChecks, policy.CleanChecksToResolve)} of {policy.CleanChecksToResolve}).", sweep.At);
    }

    private static IncidentDecision ResolveIfClear(IncidentFacts next, IncidentPolicy policy, string kind, string detail, DateTimeOffset at)
    {
        if (next.ListingsClear(policy) && next.RejectionsClear)
        {
            // Closed when it resolved: the reopen window counts from here.
            return new IncidentDecision(IncidentAction.Resolve, next with { State = IncidentState.Resolved, ClosedAt = at }, "resolved", detail);
        }

        return Record(next, kind, detail);
    }

    private static IncidentDecision Open(IncidentEvidence evidence, IncidentSeverity severity) => new(
        IncidentAction.Open,
        Joined(new IncidentFacts(IncidentState.Open, severity, evidence.At), evidence),
        "opened",
        Describe(evidence));

    private static IncidentFacts Joined(IncidentFacts facts, IncidentEvidence evidence) => evidence switch
    {
        ValueListed => facts with { HasListings = true, CleanChecks = 0 },
        RejectionsSeen => facts with { HasRejections = true, RejectionsEnded = false, AcceptedSinceEnd = false },
        _ => facts,
    };

    private static IncidentDecision Record(IncidentFacts next, string kind, string detail) => new(IncidentAction.Record, next, kind, detail);

    private static string Describe(IncidentEvidence evidence) => evidence switch
    {
        ValueListed l => $"{l.Value} listed on {l.Zone} ({l.Codes}).",
        RejectionsSeen { CitedZone: { } zone } r => $"{r.Receiver} refuses mail from {r.SourceIp}, citing {zone}.",
        RejectionsSeen r => $"{r.Receiver} refuses mail from {r.SourceIp} ({r.Kind.ToApi()}).",
        _ => "",
    };

    private static string Name(IncidentSeverity severity) => severity.ToString().ToLowerInvariant();
}

/// <summary>The outcome of a person's state change: the facts after it, or why it cannot be done.</summary>
public sealed record StateChange(IncidentFacts? Next, string? Refused);
