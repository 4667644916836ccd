using System.Net;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// Incidents from sweeps against real rbldnsd zones: one per operator and asset group, resolved
/// by clean sweeps, never by unknown ones, reopened by a relisting. Each test is a story of
/// sweeps by one app on its own SQLite database, each sweep meeting the zones the story gives it.
/// </summary>
public sealed class IncidentSweepTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The scenario with ZEN no longer listing the two addresses of the /28 (its test point and the IPv6 listing stay).</summary>
    private static RbldnsdZone[] RangeDelisted() =>
    [
        .. SweepScenario.Zones().Where(z => z.Name != "zen.spamhaus.org"),
        new("zen.spamhaus.org", RbldnsdZoneType.Ip4Set, ":127.0.0.2:SBL listing\n127.0.0.2\n"),
        new("zen.spamhaus.org", RbldnsdZoneType.Ip6Trie, "::ffff:7f00:2 :127.0.0.2:test point\n2001:db8::25 :127.0.0.3:CSS listing\n"),
    ];

    private const string Range = "203.0.113.0/28";

    [Fact]
    public async Task A_sweep_opens_one_incident_per_operator_and_asset_group()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync();

        var swept = await scenario.SweepAsync(SweepScenario.Zones());

        // ZEN lists two addresses of the /28, the IPv6 address; DBL lists spammy.example; SURBL phishy.example.
        // SpamCop's lapsed wildcard answers outside 127/8: unknown, so no incident.
        Assert.Equal(["spamhaus 2001:db8::25", "spamhaus 203.0.113.0/28", "spamhaus spammy.example", "surbl phishy.example"], swept.After.Names());
        Assert.All(swept.After.Incidents, i => Assert.Equal(IncidentState.Open, i.State));
        Assert.All(swept.After.Incidents, i => Assert.True(i.InInventory));
        Assert.Equal(2, swept.After.Of("spamhaus", Range).AffectedCount);
    }

    [Fact]
    public async Task A_second_sweep_duplicates_nothing()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync();
        var first = await scenario.SweepAsync(SweepScenario.Zones());

        var second = await scenario.SweepAsync(SweepScenario.Zones());

        Assert.Equal(first.After.Incidents.Select(i => (i.Id, i.AffectedCount)), second.After.Incidents.Select(i => (i.Id, i.AffectedCount)));
        Assert.Equal(first.After.Timeline.Select(t => (t.Id, t.Kind)), second.After.Timeline.Select(t => (t.Id, t.Kind)));
    }

    [Fact]
    public async Task A_delisting_and_then_a_second_clean_sweep_resolve_the_incident()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync(new() { ["Postmaster:Incidents:CleanChecksToResolve"] = "2" });
        await scenario.SweepAsync(SweepScenario.Zones());

        var delisting = await scenario.SweepAsync(SweepScenario.Zones(spammyStillListed: false));
        var nextClean = await scenario.SweepAsync(SweepScenario.Zones(spammyStillListed: false));

        Assert.Equal(IncidentState.Open, delisting.After.Of("spamhaus", "spammy.example").State);
        var resolved = nextClean.After.Of("spamhaus", "spammy.example");
        Assert.Equal(IncidentState.Resolved, resolved.State);
        Assert.NotNull(resolved.ClosedAt);
        Assert.Equal(["opened", "delisted", "clean-check", "resolved"], nextClean.After.KindsOf(resolved));
        Assert.Equal(IncidentState.Open, nextClean.After.Of("spamhaus", Range).State); // still listed: untouched
    }

    [Fact]
    public async Task A_sweep_through_a_refusing_resolver_resolves_nothing_and_does_not_advance_the_clean_streak()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync();
        await scenario.SweepAsync(SweepScenario.Zones());
        var delisting = await scenario.SweepAsync(RangeDelisted()); // clean check 1 of 2

        var refused = await scenario.SweepAsync(SweepScenario.Zones(zenRefusesUs: true));
        var clean = await scenario.SweepAsync(RangeDelisted());

        Assert.Contains(refused.Run.GetProperty("skipped").EnumerateArray(), s => s.GetProperty("zone").GetString() == "zen.spamhaus.org");
        var afterRefused = refused.After.Of("spamhaus", Range);
        Assert.Equal(IncidentState.Open, afterRefused.State);
        Assert.Equal(1, afterRefused.CleanChecks);
        Assert.Equal(delisting.After.KindsOf(delisting.After.Of("spamhaus", Range)), refused.After.KindsOf(afterRefused));

        // Had the refused sweep counted, the incident would have resolved then; it resolves on the next clean one.
        var resolved = clean.After.Of("spamhaus", Range);
        Assert.Equal(IncidentState.Resolved, resolved.State);
        Assert.Equal(["opened", "delisted", "clean-check", "resolved"], clean.After.KindsOf(resolved));
    }

    [Fact]
    public async Task A_failed_sweep_resolves_nothing_and_does_not_advance_the_clean_streak()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync();
        await scenario.SweepAsync(SweepScenario.Zones());
        var delisting = await scenario.SweepAsync(RangeDelisted()); // clean check 1 of 2

        var failed = await scenario.SweepAsync(SweepScenario.NxdomainForEverything());

        Assert.Equal("failed", failed.Run.GetProperty("state").GetString());
        Assert.Equal(delisting.After.Incidents.Select(i => (i.Id, i.State, i.CleanChecks)), failed.After.Incidents.Select(i => (i.Id, i.State, i.CleanChecks)));
        Assert.Equal(delisting.After.Timeline.Select(t => t.Id), failed.After.Timeline.Select(t => t.Id));
    }

    [Fact]
    public async Task A_relisting_within_the_reopen_window_reopens_the_same_incident()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync(new()
        {
            ["Postmaster:Incidents:CleanChecksToResolve"] = "1",
            ["Postmaster:Incidents:ReopenWithinDays"] = "30",
        });
        await scenario.SweepAsync(SweepScenario.Zones());
        var resolved = await scenario.SweepAsync(SweepScenario.Zones(spammyStillListed: false));

        var relisted = await scenario.SweepAsync(SweepScenario.Zones());

        var before = resolved.After.Of("spamhaus", "spammy.example");
        Assert.Equal(IncidentState.Resolved, before.State);
        var after = relisted.After.Of("spamhaus", "spammy.example"); // the one incident, never a second
        Assert.Equal(before.Id, after.Id);
        Assert.Equal((IncidentState.Open, (DateTimeOffset?)null), (after.State, after.ClosedAt));
        var reopened = relisted.After.TimelineOf(after)[^1];
        Assert.Equal("reopened", reopened.Kind);
        Assert.Equal("Relisted: spammy.example listed on dbl.spamhaus.org (127.0.1.2).", reopened.Detail);
    }

    [Fact]
    public async Task A_dead_or_refusing_list_opens_no_incident()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync();

        // ZEN refuses us (127.255.255.254 for everything); SpamCop's lapsed domain answers for everything.
        var swept = await scenario.SweepAsync(SweepScenario.Zones(zenRefusesUs: true));

        Assert.Equal(["spamhaus spammy.example", "surbl phishy.example"], swept.After.Names());
    }

    [Fact]
    public async Task A_range_listed_whole_in_one_sweep_is_one_incident_with_one_folded_timeline_line()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync(assets: ["198.51.100.0/24"], lists: ["spamhaus-zen"]);
        RbldnsdZone[] wholeRange =
        [
            new("zen.spamhaus.org", RbldnsdZoneType.Ip4Trie, ":127.0.0.2:SBL listing\n127.0.0.2/32\n198.51.100.0/24\n"),
            new("zen.spamhaus.org", RbldnsdZoneType.Ip6Trie, "::ffff:7f00:2 :127.0.0.2:test point\n"),
        ];

        // 256 addresses in chunks of 16: the engine meets them chunk by chunk.
        var swept = await scenario.SweepAsync(wholeRange);

        Assert.Equal(256, swept.Run.GetProperty("listed").GetInt64());
        var incident = Assert.Single(swept.After.Incidents);
        Assert.Equal(("spamhaus", "198.51.100.0/24", 256L, 256L), (incident.Provider, incident.GroupValue, incident.AffectedCount, incident.GroupSize));
        var seen = Assert.Single(swept.After.TimelineOf(incident), t => t.Kind is "opened" or "listed");
        Assert.Equal(256, seen.Count);
        Assert.Equal("Opened: 256 addresses listed on zen.spamhaus.org.", seen.Detail);
        Assert.Equal(256, swept.After.ValuesOf(incident).Count(v => v.Active));
    }

    [Fact]
    public async Task Removing_an_asset_ends_its_open_incident_as_wont_fix_and_keeps_its_history()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.SqliteAsync();
        var swept = await scenario.SweepAsync(SweepScenario.Zones());
        var spammy = swept.After.Of("spamhaus", "spammy.example");

        var response = await scenario.Api.DeleteAsync($"/api/assets/{spammy.AssetId}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var after = await scenario.SnapshotAsync();
        var incident = after.Of("spamhaus", "spammy.example");
        Assert.Equal((IncidentState.WontFix, false, (long?)null), (incident.State, incident.InInventory, incident.AssetId));
        Assert.NotNull(incident.ClosedAt);
        var last = after.TimelineOf(incident)[^1];
        Assert.Equal("wont-fix", last.Kind);
        Assert.StartsWith("Asset removed", last.Detail, StringComparison.Ordinal);
        Assert.Equal(swept.After.TimelineOf(spammy).Select(t => t.Id), after.TimelineOf(incident).SkipLast(1).Select(t => t.Id)); // history kept
        Assert.All(after.Incidents.Where(i => i.Id != incident.Id), i => Assert.Equal(IncidentState.Open, i.State));
    }
}
