using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Blocklists;

/// <summary>One sweep of the scenario's assets against real rbldnsd zones; the tests read its outcome.</summary>
public abstract class SweepFixture : IAsyncLifetime
{
    private RbldnsdServer? _dns;

    public PostmasterApp App { get; private set; } = null!;

    public JsonElement Run { get; private set; }

    public List<JsonElement> Listings { get; private set; } = [];

    protected abstract Task<PostmasterApp> StartAppAsync(Dictionary<string, string?> settings);

    public async ValueTask InitializeAsync()
    {
        if (RbldnsdServer.UnavailableReason is not null && !Requirement.InCi)
        {
            return;
        }

        _dns = await RbldnsdServer.StartAsync(SweepScenario.Zones());
        App = await StartAppAsync(SweepScenario.Settings(_dns.EndPoint));
        await SweepScenario.EnableOnlyAsync(App, SweepScenario.Lists);
        using var api = App.Api();
        await SweepScenario.AddAssetsAsync(api, SweepScenario.Assets);
        Run = await SweepScenario.SweepAsync(api);
        Listings = await SweepScenario.ActiveListingsAsync(api);
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    protected virtual async ValueTask DisposeCoreAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
    }
}

public abstract class SweepContract(SweepFixture fixture)
{
    private JsonElement Listing(string value, string zone)
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        return Assert.Single(fixture.Listings, l => l.GetProperty("value").GetString() == value && l.GetProperty("zone").GetString() == zone);
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public void Sweep_reports_exactly_the_listings_the_zones_hold()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);

        var found = fixture.Listings.Select(l => $"{l.GetProperty("value").GetString()}@{l.GetProperty("zone").GetString()}").Order();

        Assert.Equal(
            ["2001:db8::25@zen.spamhaus.org", "203.0.113.5@zen.spamhaus.org", "203.0.113.9@zen.spamhaus.org", "phishy.example@multi.surbl.org", "spammy.example@dbl.spamhaus.org"],
            found);
    }

    [Fact]
    public void Sweep_completes_with_counts_for_every_query()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        var run = fixture.Run;

        Assert.True(run.GetProperty("state").GetString() == "completed", run.ToString());

        // zen: 16 + 1 IPv4 + 1 IPv6; dbl and surbl: 3 domains each; the lapsed SpamCop zone is not asked.
        Assert.Equal(24, run.GetProperty("total").GetInt64());
        Assert.Equal(24, run.GetProperty("done").GetInt64());
        Assert.Equal(5, run.GetProperty("listed").GetInt64());
        Assert.Equal(0, run.GetProperty("unknown").GetInt64());
    }

    [Fact]
    public async Task A_completed_sweep_says_when_the_incidents_took_it_in()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();
        var id = fixture.Run.GetProperty("id").GetInt64();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement run;
        while ((run = await api.GetFromJsonAsync<JsonElement>($"/api/sweeps/{id}", TestContext.Current.CancellationToken))
            .GetProperty("incidentsAppliedAt").ValueKind == JsonValueKind.Null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Sweep {id} completed, but its incidents were not applied within 30 s: {run}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var incidents = await ApiPages.AllAsync(api, "/api/incidents?provider=spamhaus", ct: TestContext.Current.CancellationToken);

        Assert.True(run.GetProperty("incidentsAppliedAt").GetDateTimeOffset() >= run.GetProperty("finishedAt").GetDateTimeOffset(), run.ToString());
        Assert.Contains(incidents, i => i.GetProperty("assetGroup").GetProperty("value").GetString() == "203.0.113.0/28");
    }

    [Fact]
    public void Every_a_record_is_kept_with_its_category()
    {
        var listing = Listing("203.0.113.9", "zen.spamhaus.org");

        Assert.Equal(["127.0.0.2", "127.0.0.4"], Strings(listing.GetProperty("codes")));
        Assert.Equal("sbl,xbl", listing.GetProperty("category").GetString());
    }

    [Fact]
    public void A_listed_address_of_a_range_names_the_range_as_its_asset()
    {
        var listing = Listing("203.0.113.5", "zen.spamhaus.org");

        Assert.Equal("203.0.113.0/28", listing.GetProperty("asset").GetString());
        Assert.Equal("spamhaus", listing.GetProperty("provider").GetString());
        Assert.Equal("SBL listing, see https://check.spamhaus.org/query/ip/203.0.113.5", listing.GetProperty("reason").GetString());
    }

    [Fact]
    public void An_ipv6_address_is_found_through_its_nibble_name() =>
        Assert.Equal("css", Listing("2001:db8::25", "zen.spamhaus.org").GetProperty("category").GetString());

    [Fact]
    public void A_bitmask_answer_gives_every_category() =>
        Assert.Equal("malware,abuse", Listing("phishy.example", "multi.surbl.org").GetProperty("category").GetString());

    [Fact]
    public async Task A_list_that_answers_for_everything_is_quarantined_and_the_run_says_so()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();

        var lists = await ApiPages.AllAsync(api, "/api/blocklists", ct: TestContext.Current.CancellationToken);
        var spamcop = lists.Single(l => l.GetProperty("slug").GetString() == "spamcop-scbl");

        Assert.Equal("quarantined", spamcop.GetProperty("health").GetString());
        Assert.Contains("must never be listed", spamcop.GetProperty("healthDetail").GetString(), StringComparison.Ordinal);
        Assert.Contains("SpamCop", fixture.Run.GetProperty("notes").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Listings, l => l.GetProperty("zone").GetString() == "bl.spamcop.net");
    }

    [Fact]
    public void A_sweep_that_skipped_a_list_says_how_many_it_checked_and_why_the_rest_were_skipped()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        var run = fixture.Run;

        Assert.Equal(3, run.GetProperty("listsChecked").GetInt32());
        Assert.Equal(1, run.GetProperty("listsSkipped").GetInt32());
        var skipped = Assert.Single(run.GetProperty("skipped").EnumerateArray());
        Assert.Equal("bl.spamcop.net", skipped.GetProperty("zone").GetString());
        Assert.Contains("must never be listed", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, run.GetProperty("reason").ValueKind);
    }

    [Fact]
    public async Task A_lookup_answers_unknown_with_the_reason_from_the_list_the_sweep_quarantined()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();

        var lookup = await api.GetFromJsonAsync<JsonElement>("/api/lookup?value=203.0.113.9", TestContext.Current.CancellationToken);

        var results = lookup.GetProperty("results").EnumerateArray().ToList();
        var spamcop = Assert.Single(results, r => r.GetProperty("zone").GetString() == "bl.spamcop.net");
        Assert.Equal("unknown", spamcop.GetProperty("outcome").GetString());
        Assert.Contains("quarantined", spamcop.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("must never be listed", spamcop.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("listed", Assert.Single(results, r => r.GetProperty("zone").GetString() == "zen.spamhaus.org").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_clean_answer_is_spelled_not_listed()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        using var api = fixture.App.Api();

        var lookup = await api.GetFromJsonAsync<JsonElement>("/api/lookup?value=clean.example", TestContext.Current.CancellationToken);

        var outcomes = lookup.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("zone").GetString()!, r => r.GetProperty("outcome").GetString());
        Assert.Equal("not-listed", outcomes["dbl.spamhaus.org"]);
        Assert.Equal("not-listed", outcomes["multi.surbl.org"]);
    }
}

public sealed class SqliteSweepFixture : SweepFixture
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-sweep-").FullName;

    protected override Task<PostmasterApp> StartAppAsync(Dictionary<string, string?> settings) =>
        Task.FromResult(PostmasterApp.Sqlite(_dir, settings: settings));

    protected override async ValueTask DisposeCoreAsync()
    {
        await base.DisposeCoreAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>On PostgreSQL the sweep runs through Quartz's clustered job store, as production does.</summary>
public sealed class PostgresSweepFixture(PostgresCluster cluster) : SweepFixture
{
    protected override async Task<PostmasterApp> StartAppAsync(Dictionary<string, string?> settings)
    {
        settings["Postmaster:Scheduler:Clustered"] = "true";
        return PostmasterApp.Postgres(await cluster.CreateDatabaseAsync("sweep"), settings: settings);
    }
}

public sealed class SqliteSweepTests(SqliteSweepFixture fixture) : SweepContract(fixture), IClassFixture<SqliteSweepFixture>;

public sealed class PostgresSweepTests(PostgresSweepFixture fixture) : SweepContract(fixture), IClassFixture<PostgresSweepFixture>
{
    [Fact]
    public async Task The_sweep_ran_through_the_clustered_job_store_in_postgres()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();

        var instances = await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM qrtz_scheduler_state").SingleAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, instances);
    }
}
