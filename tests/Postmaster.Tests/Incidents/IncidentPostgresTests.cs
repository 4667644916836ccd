using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// The incident engine on PostgreSQL, where several instances share one database: a sweep gives
/// the same incidents as on SQLite, and two instances applying the same pending events at once
/// write each incident and each timeline line exactly once.
/// </summary>
public sealed class IncidentPostgresTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sweep_opens_one_incident_per_operator_and_asset_group()
    {
        Requirement.Require(cluster.UnavailableReason);
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await IncidentScenario.PostgresAsync(await cluster.CreateDatabaseAsync("incidents"));

        var first = await scenario.SweepAsync(SweepScenario.Zones());
        var second = await scenario.SweepAsync(SweepScenario.Zones());

        Assert.Equal(["spamhaus 2001:db8::25", "spamhaus 203.0.113.0/28", "spamhaus spammy.example", "surbl phishy.example"], first.After.Names());
        Assert.All(first.After.Incidents, i => Assert.Equal(IncidentState.Open, i.State));
        Assert.Equal(2, first.After.Of("spamhaus", "203.0.113.0/28").AffectedCount);
        Assert.Equal(first.After.Incidents.Select(i => (i.Id, i.AffectedCount)), second.After.Incidents.Select(i => (i.Id, i.AffectedCount)));
        Assert.Equal(first.After.Timeline.Select(t => (t.Id, t.Count)), second.After.Timeline.Select(t => (t.Id, t.Count)));
    }

    [Fact]
    public async Task Two_instances_catching_up_at_once_write_each_incident_and_timeline_line_once()
    {
        Requirement.Require(cluster.UnavailableReason);
        Requirement.Require(RbldnsdServer.UnavailableReason);
        var database = await cluster.CreateDatabaseAsync("incidents_twice");
        await using var a = await IncidentScenario.PostgresAsync(database, assets: [.. SweepScenario.Assets, "198.51.100.0/24"]);

        // The scenario, plus the whole /24 around 198.51.100.20 listed: hundreds of events, six incidents.
        RbldnsdZone[] zones = [.. SweepScenario.Zones(), new("zen.spamhaus.org", RbldnsdZoneType.Ip4Trie, ":127.0.0.2:SBL listing\n198.51.100.0/24\n")];
        var reference = (await a.SweepAsync(zones)).After;

        // The same events pending again, and both instances lined up behind the engine's lock before any of them applies one.
        await using var b = PostmasterApp.Postgres(database, settings: new Dictionary<string, string?> { ["Postmaster:Scheduler:Clustered"] = "true" });
        _ = b.Services;
        await using (var turn = await AdvisoryLock.HoldAsync(database, IncidentTurns.AdvisoryLock, Ct))
        {
            await MakePendingAgainAsync(turn);
            var catchUps = Enumerable.Range(0, 3).SelectMany(_ => new[] { CatchUpAsync(a.App), CatchUpAsync(b) }).ToList();
            await Task.Delay(500, Ct);
            await AdvisoryLock.ReleaseAsync(turn, IncidentTurns.AdvisoryLock, Ct);
            await Task.WhenAll(catchUps);
        }

        var after = await IncidentSnapshot.TakeAsync(b);
        Assert.Equal(6, after.Incidents.Count);
        Assert.Equal(Described(reference), Described(after));
        Assert.Equal(2, await ScalarAsync(database, "SELECT count(*) FROM qrtz_scheduler_state")); // two live instances
        Assert.Equal(0, await ScalarAsync(database, """SELECT count(*) FROM "ListingEvents" WHERE "ProcessedAt" IS NULL"""));
    }

    /// <summary>Each incident as a person reads it: who, which group, how many values, state, severity, and its timeline lines.</summary>
    private static List<string> Described(IncidentSnapshot snapshot) =>
    [
        .. snapshot.Incidents
            .Select(i => $"{i.Provider} {i.GroupValue} {i.AffectedCount} {i.State} {i.Severity}: "
                + string.Join(" | ", snapshot.TimelineOf(i).Select(t => $"{t.Kind} x{t.Count} {t.Detail}")))
            .Order(StringComparer.Ordinal),
    ];

    private static async Task CatchUpAsync(PostmasterApp app)
    {
        await Task.Yield();
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IncidentEngine>().CatchUpAsync(Ct);
    }

    /// <summary>As if no engine had run since the sweep: no incidents, every event and the run unapplied.</summary>
    private static async Task MakePendingAgainAsync(NpgsqlConnection connection)
    {
        await using var reset = new NpgsqlCommand(
            """
            DELETE FROM "Incidents";
            UPDATE "ListingEvents" SET "ProcessedAt" = NULL;
            UPDATE "EpisodeEvents" SET "ProcessedAt" = NULL;
            UPDATE "SweepRuns" SET "IncidentsAppliedAt" = NULL;
            """,
            connection);
        await reset.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
