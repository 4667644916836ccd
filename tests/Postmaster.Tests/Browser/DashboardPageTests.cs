using System.Net.Http.Json;
using System.Text.Json;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Tests.Security;

namespace Postmaster.Tests.Browser;

/// <summary>
/// The dashboard as a triage view: 60 active incidents (three recent ones from spamhaus and
/// microsoft, 57 older from google), one resolved, and a DNS server that answers nothing.
/// </summary>
public sealed class DashboardPageTests : BrowserTest
{
    private const string Resolved = "192.0.2.200";

    protected override async Task<PostmasterApp> StartAppAsync(string dataDirectory)
    {
        var settings = CrawledApp.Settings();
        settings["Postmaster:Dns:TimeoutSeconds"] = "0.5";
        settings["Postmaster:Dns:Retries"] = "0";
        var app = PostmasterApp.Sqlite(dataDirectory, kestrel: true, settings: settings);
        _ = app.ServerAddress;

        var now = DateTimeOffset.UtcNow;
        await IncidentSeed.AddAsync(app, IncidentSeed.Active("spamhaus", "192.0.2.1", IncidentSeverity.Critical, now.AddMinutes(-3)));
        await IncidentSeed.AddAsync(app, IncidentSeed.Active("microsoft", "192.0.2.2", IncidentSeverity.Low, now.AddMinutes(-1)));
        await IncidentSeed.AddAsync(app, IncidentSeed.Active("spamhaus", "192.0.2.3", IncidentSeverity.Medium, now.AddMinutes(-2)));
        for (var i = 1; i <= 57; i++)
        {
            await IncidentSeed.AddAsync(app, IncidentSeed.Active("google", $"198.51.100.{i}", IncidentSeverity.Low, now.AddDays(-2).AddMinutes(-i)));
        }

        var resolved = IncidentSeed.Active("spamhaus", Resolved, IncidentSeverity.High, now);
        (resolved.State, resolved.ActiveMarker, resolved.ClosedAt) = (IncidentState.Resolved, null, now);
        await IncidentSeed.AddAsync(app, resolved);
        return app;
    }

    [Fact]
    public async Task The_dashboard_shows_the_active_incidents_by_provider_the_worst_first()
    {
        var page = await SignInAsync("/");

        var providers = await page.Locator("#triage .provider-group").EvaluateAllAsync<string[]>("groups => groups.map(g => g.dataset.provider)");
        var spamhaus = await page.Locator("#triage .provider-group[data-provider=spamhaus] tbody tr").AllInnerTextsAsync();

        Assert.Equal(["spamhaus", "microsoft", "google"], providers);
        Assert.Equal(2, spamhaus.Count);
        Assert.Contains("192.0.2.1", spamhaus[0], StringComparison.Ordinal);
        Assert.Contains("critical", spamhaus[0], StringComparison.Ordinal);
        Assert.Contains("192.0.2.3", spamhaus[1], StringComparison.Ordinal);
        Assert.DoesNotContain(Resolved, await page.InnerTextAsync("#triage"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_counts_every_active_incident_and_leads_to_the_rest()
    {
        var page = await SignInAsync("/");

        Assert.Equal("Active incidents (60)", await page.InnerTextAsync("#triage h2"));
        Assert.Equal(50, await page.Locator("#triage tbody tr").CountAsync());
        Assert.Contains("Showing 50 of 60 active incidents.", await page.InnerTextAsync("#all-incidents"), StringComparison.Ordinal);

        await page.ClickAsync("#all-incidents a");
        await page.WaitForURLAsync("**/incidents");
        Assert.Contains("Showing 50 of 60 incidents", await page.InnerTextAsync("#incidents-pager"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Before_any_sweep_the_dashboard_says_nothing_has_been_checked()
    {
        var page = await SignInAsync("/");

        Assert.Contains("No sweep has run yet: nothing has been checked", await page.InnerTextAsync("#sweep-verdict"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_sweep_shows_as_failed_not_as_clean()
    {
        using var api = App!.Api();
        await SweepScenario.AddAssetsAsync(api, "203.0.113.7");
        var started = await api.PostAsJsonAsync("/api/sweeps", new { assetIds = Array.Empty<long>() }, TestContext.Current.CancellationToken);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetInt64();
        var run = await SweepScenario.WaitAsync(api, id);
        Assert.Equal("failed", run.GetProperty("state").GetString());

        var page = await SignInAsync("/");

        Assert.Contains($"Sweep #{id} failed: it checked nothing.", await page.InnerTextAsync("#sweep-verdict"), StringComparison.Ordinal);
        Assert.Equal("failed", await page.InnerTextAsync("#sweep-state"));
        Assert.Contains("sweep-failed", await page.GetAttributeAsync("#last-sweep", "class") ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain("checked every enabled list", await page.InnerTextAsync("body"), StringComparison.Ordinal);
    }
}
