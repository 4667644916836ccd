using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Blocklists;

/// <summary>
/// What happens to listings on later sweeps. Each test sweeps once against the scenario zones, then
/// restarts the app on the same database pointed at different DNS answers.
/// </summary>
public sealed class SweepStateChangeTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-changes-").FullName;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    private async Task FirstSweepAsync()
    {
        await using var dns = await RbldnsdServer.StartAsync(SweepScenario.Zones());
        await using var app = PostmasterApp.Sqlite(_dir, settings: SweepScenario.Settings(dns.EndPoint));
        await SweepScenario.EnableOnlyAsync(app, SweepScenario.Lists);
        using var api = app.Api();
        await SweepScenario.AddAssetsAsync(api, SweepScenario.Assets);
        await SweepScenario.SweepAsync(api);
    }

    [Fact]
    public async Task Error_codes_from_a_list_never_flip_its_listings()
    {
        await FirstSweepAsync();
        await using var dns = await RbldnsdServer.StartAsync(SweepScenario.Zones(zenRefusesUs: true), TestContext.Current.CancellationToken);
        await using var app = PostmasterApp.Sqlite(_dir, settings: SweepScenario.Settings(dns.EndPoint));
        using var api = app.Api();

        var run = await SweepScenario.SweepAsync(api);
        var listings = await SweepScenario.ActiveListingsAsync(api);
        var lists = await ApiPages.AllAsync(api, "/api/blocklists", ct: TestContext.Current.CancellationToken);
        var zen = lists.Single(l => l.GetProperty("slug").GetString() == "spamhaus-zen");

        Assert.Equal(3, listings.Count(l => l.GetProperty("zone").GetString() == "zen.spamhaus.org"));
        Assert.Equal("resolver-refused", zen.GetProperty("health").GetString());
        Assert.Contains("own recursive resolver", zen.GetProperty("healthDetail").GetString(), StringComparison.Ordinal);
        Assert.Contains("answered 127.255.255.254 for the test points of Spamhaus ZEN", run.GetProperty("notes").GetString(), StringComparison.Ordinal);
        Assert.Contains(run.GetProperty("skipped").EnumerateArray(), s => s.GetProperty("zone").GetString() == "zen.spamhaus.org");
    }

    [Fact]
    public async Task A_delisting_is_confirmed_recorded_and_kept_as_history()
    {
        await FirstSweepAsync();
        await using var dns = await RbldnsdServer.StartAsync(SweepScenario.Zones(spammyStillListed: false), TestContext.Current.CancellationToken);
        await using var app = PostmasterApp.Sqlite(_dir, settings: SweepScenario.Settings(dns.EndPoint));
        using var api = app.Api();

        await SweepScenario.SweepAsync(api);
        var active = await SweepScenario.ActiveListingsAsync(api);
        var all = await ApiPages.AllAsync(api, "/api/listings", ct: TestContext.Current.CancellationToken);

        Assert.DoesNotContain(active, l => l.GetProperty("value").GetString() == "spammy.example");
        Assert.Contains(all, l => l.GetProperty("value").GetString() == "spammy.example" && !l.GetProperty("active").GetBoolean());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var events = await db.ListingEvents.Where(e => e.Value == "spammy.example").OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([ListingChange.Listed, ListingChange.Delisted], events);
    }

    [Fact]
    public async Task Timeouts_leave_listings_alone_and_a_running_sweep_is_not_started_twice()
    {
        await FirstSweepAsync();
        using var silent = new UnresponsiveDnsServer();
        await using var app = PostmasterApp.Sqlite(_dir, settings: SweepScenario.Settings(silent.EndPoint));
        using var api = app.Api();
        var ct = TestContext.Current.CancellationToken;

        var first = await api.PostAsJsonAsync("/api/sweeps", new { }, ct);
        var second = await api.PostAsJsonAsync("/api/sweeps", new { }, ct);
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64();
        var run = await SweepScenario.WaitAsync(api, firstId);
        var listings = await SweepScenario.ActiveListingsAsync(api);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(firstId, (await second.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("runningId").GetInt64());
        Assert.Equal(5, listings.Count);

        // No list answered its test points, so nothing was checked: the run fails rather than pass as clean.
        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.Contains("gave no usable answer (no answer before the timeout)", run.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sweep_past_a_lists_daily_budget_is_cut_short_and_says_so()
    {
        await using var dns = await RbldnsdServer.StartAsync(
            [new("budget.test", RbldnsdZoneType.Ip4Set, "127.0.0.2\n192.0.2.40\n")], TestContext.Current.CancellationToken);
        await using var app = PostmasterApp.Sqlite(_dir, settings: SweepScenario.Settings(dns.EndPoint));
        await SweepScenario.EnableOnlyAsync(app);
        using var api = app.Api();
        var ct = TestContext.Current.CancellationToken;
        var added = await api.PostAsJsonAsync("/api/blocklists", new
        {
            slug = "budget",
            zone = "budget.test",
            lists = "ip",
            codes = new Dictionary<string, object> { ["127.0.0.2"] = new { category = "spam", severity = "high" } },
            queryPolicy = new { freeDailyQueries = 20 },
        }, ct);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await SweepScenario.AddAssetsAsync(api, "192.0.2.32/27"); // 32 addresses, two chunks of 16

        var run = await SweepScenario.SweepAsync(api);

        Assert.Equal(16, run.GetProperty("total").GetInt64());
        Assert.Equal(16, run.GetProperty("done").GetInt64());
        Assert.Contains("16 of 32 queries skipped", run.GetProperty("notes").GetString(), StringComparison.Ordinal);
        Assert.Single(await SweepScenario.ActiveListingsAsync(api), l => l.GetProperty("value").GetString() == "192.0.2.40");
    }
}
