using Postmaster.Core.Incidents;
using Postmaster.Core.Signals;

namespace Postmaster.Tests.Incidents;

public sealed class IncidentRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly IncidentPolicy Policy = IncidentPolicy.Default; // 2 clean checks, 30 days

    private static readonly ValueListed Listed = new(T0, "203.0.113.9", "zen.spamhaus.org", "127.0.0.2");
    private static readonly RejectionsSeen Refused = new(T0, "203.0.113.9", "microsoft", SignalKind.IpReputation);

    private static IncidentFacts ListingIncident(IncidentState state = IncidentState.Open, int cleanChecks = 0, DateTimeOffset? closedAt = null) =>
        new(state, IncidentSeverity.High, T0, closedAt, HasListings: true, CleanChecks: cleanChecks);

    private static IncidentFacts RejectionIncident(bool ended = false) =>
        new(IncidentState.Open, IncidentSeverity.High, T0, HasRejections: true, RejectionsEnded: ended);

    [Fact]
    public void A_listing_with_no_incident_opens_one_that_rests_on_listings()
    {
        var decision = IncidentRules.Decide(null, Listed, Policy, IncidentSeverity.Critical);

        Assert.Equal(IncidentAction.Open, decision.Action);
        Assert.Equal("incident-opened", decision.AlertKind);
        Assert.Equal(new IncidentFacts(IncidentState.Open, IncidentSeverity.Critical, T0, HasListings: true), decision.Next);
        Assert.Equal("203.0.113.9 listed on zen.spamhaus.org (127.0.0.2).", decision.Detail);
    }

    [Fact]
    public void A_rejection_citing_a_list_opens_the_operators_incident_and_says_who_cited_it()
    {
        var cited = new RejectionsSeen(T0, "203.0.113.9", "proofpoint", SignalKind.Blocklist, "zen.spamhaus.org");

        var decision = IncidentRules.Decide(null, cited, Policy);

        Assert.Equal(IncidentAction.Open, decision.Action);
        Assert.True(decision.Next!.HasRejections);
        Assert.Equal("proofpoint refuses mail from 203.0.113.9, citing zen.spamhaus.org.", decision.Detail);
    }

    [Theory]
    [InlineData(typeof(ValueDelisted))]
    [InlineData(typeof(SweepEnded))]
    [InlineData(typeof(RejectionsEnded))]
    [InlineData(typeof(DeliveriesAccepted))]
    public void Evidence_of_no_block_opens_nothing(Type kind)
    {
        IncidentEvidence evidence = kind.Name switch
        {
            nameof(ValueDelisted) => new ValueDelisted(T0, "203.0.113.9", "zen.spamhaus.org"),
            nameof(SweepEnded) => new SweepEnded(T0, 7, ListsChecked: true, StillListed: 0),
            nameof(RejectionsEnded) => new RejectionsEnded(T0, "203.0.113.9"),
            _ => new DeliveriesAccepted(T0, "203.0.113.9"),
        };

        Assert.Equal(IncidentAction.Ignore, IncidentRules.Decide(null, evidence, Policy).Action);
    }

    [Fact]
    public void Another_value_listed_joins_the_open_incident_and_restarts_the_clean_count()
    {
        var decision = IncidentRules.Decide(ListingIncident(cleanChecks: 1), Listed with { Value = "203.0.113.10" }, Policy);

        Assert.Equal(IncidentAction.Record, decision.Action);
        Assert.Equal(0, decision.Next!.CleanChecks);
        Assert.Equal("listed", decision.TimelineKind);
        Assert.Null(decision.AlertKind);
    }

    [Fact]
    public void Codes_changing_on_a_listed_value_go_on_the_timeline_as_such()
    {
        var decision = IncidentRules.Decide(ListingIncident(), Listed with { Codes = "127.0.0.2,127.0.0.4", CodesChanged = true }, Policy);

        Assert.Equal(("codes-changed", IncidentState.Open), (decision.TimelineKind, decision.Next!.State));
    }

    [Fact]
    public void A_delisting_alone_resolves_nothing()
    {
        var decision = IncidentRules.Decide(ListingIncident(), new ValueDelisted(T0, "203.0.113.9", "zen.spamhaus.org"), Policy);

        Assert.Equal(IncidentAction.Record, decision.Action);
        Assert.Equal(IncidentState.Open, decision.Next!.State);
    }

    [Fact]
    public void Two_consecutive_clean_sweeps_resolve_a_listing_incident()
    {
        var clean = new SweepEnded(T0.AddHours(1), 8, ListsChecked: true, StillListed: 0);

        var first = IncidentRules.Decide(ListingIncident(), clean, Policy);
        var second = IncidentRules.Decide(first.Next, clean with { RunId = 9 }, Policy);

        Assert.Equal((IncidentAction.Record, 1), (first.Action, first.Next!.CleanChecks));
        Assert.Equal(IncidentAction.Resolve, second.Action);
        Assert.Equal(IncidentState.Resolved, second.Next!.State);
        Assert.Equal(T0.AddHours(1), second.Next.ClosedAt); // the reopen window counts from the resolution
        Assert.Equal("incident-resolved", second.AlertKind);
    }

    [Fact]
    public void A_sweep_that_could_not_check_the_list_neither_counts_nor_breaks_the_streak()
    {
        var unknown = new SweepEnded(T0, 8, ListsChecked: false, StillListed: 0);

        Assert.Equal(IncidentAction.Ignore, IncidentRules.Decide(ListingIncident(cleanChecks: 1), unknown, Policy).Action);
    }

    [Fact]
    public void A_sweep_that_still_sees_a_listing_starts_the_count_again()
    {
        var decision = IncidentRules.Decide(ListingIncident(cleanChecks: 1), new SweepEnded(T0, 8, true, StillListed: 1), Policy);

        Assert.Equal((IncidentAction.Record, 0, null), (decision.Action, decision.Next!.CleanChecks, decision.TimelineKind));
    }

    [Fact]
    public void A_rejection_incident_ignores_sweeps()
    {
        Assert.Equal(IncidentAction.Ignore, IncidentRules.Decide(RejectionIncident(), new SweepEnded(T0, 8, true, 0), Policy).Action);
    }

    [Fact]
    public void A_rejection_incident_resolves_when_the_episode_ended_and_mail_is_accepted_again()
    {
        var ended = IncidentRules.Decide(RejectionIncident(), new RejectionsEnded(T0, "203.0.113.9"), Policy);
        var accepted = IncidentRules.Decide(ended.Next, new DeliveriesAccepted(T0.AddMinutes(5), "203.0.113.9"), Policy);

        Assert.Equal((IncidentAction.Record, IncidentState.Open), (ended.Action, ended.Next!.State));
        Assert.Equal(IncidentAction.Resolve, accepted.Action);
    }

    [Fact]
    public void Deliveries_while_the_provider_still_refuses_resolve_nothing()
    {
        Assert.Equal(IncidentAction.Ignore, IncidentRules.Decide(RejectionIncident(), new DeliveriesAccepted(T0, "203.0.113.9"), Policy).Action);
    }

    [Fact]
    public void A_listing_joined_by_rejections_needs_both_clean_checks_and_accepted_mail()
    {
        var both = ListingIncident(cleanChecks: 1) with { HasRejections = true, RejectionsEnded = true };

        var clean = IncidentRules.Decide(both, new SweepEnded(T0, 8, true, 0), Policy);
        var accepted = IncidentRules.Decide(clean.Next, new DeliveriesAccepted(T0, "203.0.113.9"), Policy);

        Assert.Equal(IncidentAction.Record, clean.Action);
        Assert.Equal(IncidentAction.Resolve, accepted.Action);
    }

    [Fact]
    public void Clean_sweeps_after_the_listings_cleared_add_no_more_timeline_lines_while_rejections_last()
    {
        var waiting = ListingIncident(cleanChecks: 1) with { HasRejections = true };

        var counted = IncidentRules.Decide(waiting, new SweepEnded(T0, 8, true, 0), Policy);
        var later = IncidentRules.Decide(counted.Next, new SweepEnded(T0.AddMinutes(10), 9, true, 0), Policy);

        Assert.Equal("clean-check", counted.TimelineKind);
        Assert.Equal(IncidentAction.Record, later.Action);
        Assert.Null(later.TimelineKind);
        Assert.Equal(IncidentState.Open, later.Next!.State);
        Assert.True(later.Next.ListingsClear(Policy));
    }

    [Fact]
    public void The_same_block_within_the_window_reopens_the_resolved_incident()
    {
        var resolved = ListingIncident(IncidentState.Resolved, cleanChecks: 2, closedAt: T0);

        var decision = IncidentRules.Decide(resolved, Listed with { At = T0.AddDays(29) }, Policy);

        Assert.Equal(IncidentAction.Reopen, decision.Action);
        Assert.Equal((IncidentState.Open, 0, (DateTimeOffset?)null), (decision.Next!.State, decision.Next.CleanChecks, decision.Next.ClosedAt));
        Assert.Equal("incident-reopened", decision.AlertKind);
        Assert.StartsWith("Relisted: ", decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejections_returning_within_the_window_reopen_as_such()
    {
        var resolved = RejectionIncident(ended: true) with { State = IncidentState.Resolved, ClosedAt = T0, AcceptedSinceEnd = true };

        var decision = IncidentRules.Decide(resolved, Refused with { At = T0.AddDays(3) }, Policy);

        Assert.Equal(IncidentAction.Reopen, decision.Action);
        Assert.False(decision.Next!.RejectionsEnded);
        Assert.StartsWith("Rejections returned: ", decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_block_after_the_window_opens_a_new_incident()
    {
        var resolved = ListingIncident(IncidentState.Resolved, closedAt: T0);

        Assert.Equal(IncidentAction.Open, IncidentRules.Decide(resolved, Listed with { At = T0.AddDays(31) }, Policy).Action);
    }

    [Fact]
    public void A_wont_fix_incident_keeps_new_evidence_without_reopening()
    {
        var wontFix = ListingIncident(IncidentState.WontFix, closedAt: T0);

        var decision = IncidentRules.Decide(wontFix, Listed with { At = T0.AddDays(1) }, Policy);

        Assert.Equal((IncidentAction.Record, IncidentState.WontFix), (decision.Action, decision.Next!.State));
        Assert.Null(decision.AlertKind);
    }

    [Fact]
    public void Clean_checks_of_a_closed_incident_change_nothing()
    {
        var resolved = ListingIncident(IncidentState.Resolved, closedAt: T0);

        Assert.Equal(IncidentAction.Ignore, IncidentRules.Decide(resolved, new SweepEnded(T0, 8, true, 0), Policy).Action);
    }

    [Theory]
    [InlineData(IncidentSeverity.Medium, IncidentSeverity.High, "severity-raised", "incident-severity-raised")]
    [InlineData(IncidentSeverity.High, IncidentSeverity.Medium, "severity-lowered", null)]
    public void Settling_severity_records_the_change_and_alerts_only_when_raised(
        IncidentSeverity from, IncidentSeverity to, string kind, string? alert)
    {
        var decision = IncidentRules.Settle(ListingIncident() with { Severity = from }, to);

        Assert.Equal((to, kind, alert), (decision.Next!.Severity, decision.TimelineKind, decision.AlertKind));
    }

    [Fact]
    public void A_severity_a_person_set_stays()
    {
        var pinned = ListingIncident() with { Severity = IncidentSeverity.Low, SeverityPinned = true };

        Assert.Equal(IncidentAction.Ignore, IncidentRules.Settle(pinned, IncidentSeverity.Critical).Action);
    }

    [Fact]
    public void A_person_cannot_resolve_an_incident_but_can_mark_it_wont_fix()
    {
        var resolve = IncidentRules.Change(ListingIncident(), IncidentState.Resolved, T0);
        var wontFix = IncidentRules.Change(ListingIncident(), IncidentState.WontFix, T0.AddHours(1));

        Assert.Null(resolve.Next);
        Assert.Contains("wont-fix", resolve.Refused, StringComparison.Ordinal);
        Assert.Equal((IncidentState.WontFix, T0.AddHours(1)), (wontFix.Next!.State, wontFix.Next.ClosedAt));
    }

    [Fact]
    public void A_person_reopening_a_closed_incident_starts_the_clean_count_again()
    {
        var change = IncidentRules.Change(ListingIncident(IncidentState.WontFix, cleanChecks: 2, closedAt: T0), IncidentState.Open, T0);

        Assert.Equal((IncidentState.Open, 0, (DateTimeOffset?)null), (change.Next!.State, change.Next.CleanChecks, change.Next.ClosedAt));
    }

    [Theory]
    [InlineData(ProviderWeight.Severe, 1, 1, IncidentSeverity.Critical)]
    [InlineData(ProviderWeight.Minor, 1, 1, IncidentSeverity.Low)]
    [InlineData(ProviderWeight.Moderate, 40_000, 65_536, IncidentSeverity.High)]
    [InlineData(ProviderWeight.Major, 3, 65_536, IncidentSeverity.Medium)]
    [InlineData(ProviderWeight.Minor, 3, 65_536, IncidentSeverity.Low)]
    [InlineData(ProviderWeight.Severe, 65_536, 65_536, IncidentSeverity.Critical)]
    public void Severity_follows_the_providers_weight_and_the_share_of_the_range_blocked(
        ProviderWeight weight, long affected, long groupSize, IncidentSeverity expected) =>
        Assert.Equal(expected, SeverityRule.Assess(weight, affected, groupSize));
}
