using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Blocklists;

/// <summary>
/// A machine whose resolver answers NXDOMAIN for everything, played by a real rbldnsd
/// (<see cref="SweepScenario.NxdomainForEverything"/>). Every enabled list of the shipped catalog
/// then fails its listed test point.
/// </summary>
public sealed class NxdomainResolverFixture : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-nxdomain-").FullName;
    private RbldnsdServer? _dns;

    public PostmasterApp App { get; private set; } = null!;

    public IPEndPoint Resolver => _dns!.EndPoint;

    public async ValueTask InitializeAsync()
    {
        if (RbldnsdServer.UnavailableReason is not null && !Requirement.InCi)
        {
            return;
        }

        _dns = await RbldnsdServer.StartAsync(SweepScenario.NxdomainForEverything());
        App = PostmasterApp.Sqlite(_dir, settings: SweepScenario.Settings(_dns.EndPoint));
        using var api = App.Api();
        await SweepScenario.AddAssetsAsync(api, "203.0.113.7");
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

public sealed class NoFalseAllClearTests(NxdomainResolverFixture fixture) : IClassFixture<NxdomainResolverFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static async Task<List<JsonElement>> EnabledListsAsync(HttpClient api) =>
        [.. (await ApiPages.AllAsync(api, "/api/blocklists", ct: Ct)).Where(l => l.GetProperty("enabled").GetBoolean())];

    [Fact]
    public async Task A_sweep_through_a_resolver_that_answers_nxdomain_for_everything_fails_with_one_reason_to_act_on()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();
        var enabled = await EnabledListsAsync(api);

        var run = await SweepScenario.SweepAsync(api);

        Assert.True(run.GetProperty("state").GetString() == "failed", run.ToString());
        Assert.Equal(0, run.GetProperty("listsChecked").GetInt32());
        Assert.Equal(enabled.Count, run.GetProperty("listsSkipped").GetInt32());
        var reason = run.GetProperty("reason").GetString()!;
        Assert.Contains(fixture.Resolver.ToString(), reason, StringComparison.Ordinal);
        Assert.Contains("Postmaster:Dns:Servers", reason, StringComparison.Ordinal);
        Assert.Contains("local recursive resolver", reason, StringComparison.Ordinal);
        Assert.Contains("DQS key", reason, StringComparison.Ordinal);

        // One cause, said once, however many lists it hit.
        Assert.Equal(1, Occurrences(reason, "NXDOMAIN"));
        Assert.Equal(0, Occurrences(reason, "does not list its test point"));

        // The API still names every zone with its own reason.
        var skipped = run.GetProperty("skipped").EnumerateArray().ToList();
        Assert.Equal(enabled.Select(l => l.GetProperty("zone").GetString()).Order(), skipped.Select(s => s.GetProperty("zone").GetString()).Order());
        Assert.All(skipped, s => Assert.Contains("test point", s.GetProperty("reason").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sweep_that_checked_nothing_writes_no_check_for_any_asset()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();

        var run = await SweepScenario.SweepAsync(api);

        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.Equal(0, run.GetProperty("total").GetInt64());
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        Assert.Equal(0, await db.AssetListStatuses.CountAsync(Ct));
        Assert.Equal(0, await db.SweepChunks.CountAsync(c => c.RunId == run.GetProperty("id").GetInt64(), Ct));
    }

    [Fact]
    public async Task A_lookup_never_answers_not_listed_from_a_list_that_failed_its_health_check()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();
        await SweepScenario.SweepAsync(api); // quarantines every list

        var lookup = await api.GetFromJsonAsync<JsonElement>("/api/lookup?value=203.0.113.7", Ct);

        var results = lookup.GetProperty("results").EnumerateArray().ToList();
        Assert.NotEmpty(results);
        Assert.All(results, r =>
        {
            Assert.Equal("unknown", r.GetProperty("outcome").GetString());
            Assert.Contains("quarantined", r.GetProperty("reason").GetString(), StringComparison.Ordinal);
        });
        var zen = Assert.Single(results, r => r.GetProperty("zone").GetString() == "zen.spamhaus.org");
        Assert.Contains("does not list its test point 127.0.0.2", zen.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lookup_runs_the_test_points_again_when_the_last_health_check_is_stale_and_records_it()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();
        var longAgo = DateTimeOffset.UtcNow.AddHours(-2);
        await SetHealthAsync("zen.spamhaus.org", ListHealthState.Healthy, longAgo);

        var lookup = await api.GetFromJsonAsync<JsonElement>("/api/lookup?value=203.0.113.7", Ct);

        var zen = Assert.Single(lookup.GetProperty("results").EnumerateArray(), r => r.GetProperty("zone").GetString() == "zen.spamhaus.org");
        Assert.Equal("unknown", zen.GetProperty("outcome").GetString());
        Assert.Contains("quarantined", zen.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var row = Assert.Single(await EnabledListsAsync(api), l => l.GetProperty("zone").GetString() == "zen.spamhaus.org");
        Assert.Equal("quarantined", row.GetProperty("health").GetString());
        Assert.True(row.GetProperty("healthCheckedAt").GetDateTimeOffset() > longAgo.AddHours(1), row.ToString());
    }

    [Fact]
    public async Task A_lookup_trusts_a_health_check_younger_than_the_configured_age()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();
        var recently = DateTimeOffset.UtcNow.AddMinutes(-5);
        await SetHealthAsync("zen.spamhaus.org", ListHealthState.Healthy, recently);

        var lookup = await api.GetFromJsonAsync<JsonElement>("/api/lookup?value=203.0.113.7", Ct);

        // Not checked again (30 minutes by default), so asked: this resolver's NXDOMAIN reads as not listed.
        var zen = Assert.Single(lookup.GetProperty("results").EnumerateArray(), r => r.GetProperty("zone").GetString() == "zen.spamhaus.org");
        Assert.Equal("not-listed", zen.GetProperty("outcome").GetString());
        await SetHealthAsync("zen.spamhaus.org", ListHealthState.Quarantined, recently);
    }

    private async Task SetHealthAsync(string zone, ListHealthState state, DateTimeOffset checkedAt)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        await db.Blocklists.Where(b => b.Zone == zone).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.Health, state)
            .SetProperty(b => b.HealthCheckedAt, checkedAt), Ct);
    }
}

/// <summary>A resolver that drops every packet: the sweep fails and says the resolver did not answer.</summary>
public sealed class SilentResolverTests
{
    [Fact]
    public async Task A_sweep_through_a_resolver_that_never_answers_fails_naming_it_and_the_timeout()
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-silent-").FullName;
        using var silent = new UnresponsiveDnsServer();
        try
        {
            await using (var app = PostmasterApp.Sqlite(dir, settings: SweepScenario.Settings(silent.EndPoint)))
            {
                await SweepScenario.EnableOnlyAsync(app, SweepScenario.Lists);
                using var api = app.Api();
                await SweepScenario.AddAssetsAsync(api, "203.0.113.7");

                var run = await SweepScenario.SweepAsync(api);

                Assert.True(run.GetProperty("state").GetString() == "failed", run.ToString());
                Assert.Equal(0, run.GetProperty("listsChecked").GetInt32());
                Assert.Equal(SweepScenario.Lists.Length, run.GetProperty("listsSkipped").GetInt32());
                var reason = run.GetProperty("reason").GetString()!;
                Assert.Contains($"{silent.EndPoint} (Postmaster:Dns:Servers) gave no usable answer (no answer before the timeout)", reason, StringComparison.Ordinal);
                Assert.Contains($"{SweepScenario.Lists.Length} lists", reason, StringComparison.Ordinal);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_health_max_age_out_of_range_stops_the_app_at_start_up_naming_the_key()
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-options-").FullName;
        try
        {
            using var app = PostmasterApp.Sqlite(dir, settings: new Dictionary<string, string?> { ["Postmaster:Blocklists:HealthMaxAgeMinutes"] = "-5" });

            var error = Assert.ThrowsAny<Exception>(() => app.Services);

            Assert.Contains("Postmaster:Blocklists:HealthMaxAgeMinutes", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>Some zones served, one not (the resolver refuses it) and one lapsed: the sweep runs on what it can check and says what it could not.</summary>
public sealed class PartialSweepTests
{
    [Fact]
    public async Task A_sweep_with_some_lists_unreachable_completes_and_says_which_were_skipped_and_why()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        var dir = Directory.CreateTempSubdirectory("postmaster-partial-").FullName;
        await using var dns = await RbldnsdServer.StartAsync(SweepScenario.Zones().Where(z => z.Name != "multi.surbl.org"), TestContext.Current.CancellationToken);
        try
        {
            await using (var app = PostmasterApp.Sqlite(dir, settings: SweepScenario.Settings(dns.EndPoint)))
            {
                await SweepScenario.EnableOnlyAsync(app, SweepScenario.Lists);
                using var api = app.Api();
                await SweepScenario.AddAssetsAsync(api, "203.0.113.9", "phishy.example");

                var run = await SweepScenario.SweepAsync(api);

                Assert.True(run.GetProperty("state").GetString() == "completed", run.ToString());
                Assert.Equal(2, run.GetProperty("listsChecked").GetInt32());
                Assert.Equal(2, run.GetProperty("listsSkipped").GetInt32());
                var skipped = run.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("zone").GetString()!, s => s.GetProperty("reason").GetString()!);
                Assert.Equal(["bl.spamcop.net", "multi.surbl.org"], skipped.Keys.Order());
                Assert.Contains("REFUSED", skipped["multi.surbl.org"], StringComparison.Ordinal);
                var notes = run.GetProperty("notes").GetString()!;
                Assert.Contains($"The resolver {dns.EndPoint} (Postmaster:Dns:Servers) answered REFUSED for the test points of SURBL", notes, StringComparison.Ordinal);
                Assert.Equal(2, run.GetProperty("total").GetInt64()); // 203.0.113.9 on ZEN, phishy.example on DBL
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
