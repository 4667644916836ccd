using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// Incidents from sweeps against real rbldnsd zones: one per operator and asset group, resolved
/// by clean sweeps, never by unknown ones, reopened by a relisting. Each test restarts the app on
/// the same SQLite database pointed at other answers, as the sweep state-change tests do.
/// </summary>
public sealed class IncidentSweepTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-incidents-").FullName;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    private async Task<List<Incident>> SweepAsync(RbldnsdZone[] zones, Dictionary<string, string?>? extra = null, bool addAssets = false)
    {
        await using var dns = await RbldnsdServer.StartAsync(zones, TestContext.Current.CancellationToken);
        var settings = SweepScenario.Settings(dns.EndPoint);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        await using var app = PostmasterApp.Sqlite(_dir, settings: settings);
        using var api = app.Api();
        if (addAssets)
        {
            await SweepScenario.EnableOnlyAsync(app, SweepScenario.Lists);
            await SweepScenario.AddAssetsAsync(api, SweepScenario.Assets);
        }

        await SweepScenario.SweepAsync(api);
        return await IncidentDb.IncidentsAsync(app);
    }

    [Fact]
    public async Task A_sweep_opens_one_incident_per_operator_and_asset_group()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);

        var incidents = await SweepAsync(SweepScenario.Zones(), addAssets: true);

        // ZEN lists two addresses of the /28, the IPv6 address; DBL lists spammy.example; SURBL phishy.example.
        // SpamCop's lapsed wildcard answers outside 127/8: unknown, so no incident.
        Assert.Equal(
            ["spamhaus 2001:db8::25", "spamhaus 203.0.113.0/28", "spamhaus spammy.example", "surbl phishy.example"],
            incidents.Select(i => $"{i.Provider} {i.GroupValue}").Order(StringComparer.Ordinal));
        Assert.All(incidents, i => Assert.Equal(IncidentState.Open, i.State));
        Assert.All(incidents, i => Assert.True(i.InInventory));
        Assert.Equal(2, incidents.Single(i => i.GroupValue == "203.0.113.0/28").AffectedCount);
    }

    [Fact]
    public async Task A_second_sweep_duplicates_nothing()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        var first = await SweepAsync(SweepScenario.Zones(), addAssets: true);

        var second = await SweepAsync(SweepScenario.Zones());

        Assert.Equal(first.Select(i => (i.Id, i.AffectedCount)), second.Select(i => (i.Id, i.AffectedCount)));
    }
}
