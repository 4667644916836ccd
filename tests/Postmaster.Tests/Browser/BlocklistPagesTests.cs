using Microsoft.Playwright;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Browser;

/// <summary>A person starts a sweep, watches it finish, and reads the listings and a lookup.</summary>
public sealed class BlocklistPagesTests : BrowserTest
{
    private RbldnsdServer? _dns;

    protected override string? UnavailableReason => Chromium.UnavailableReason ?? RbldnsdServer.UnavailableReason;

    protected override async Task<PostmasterApp> StartAppAsync(string dataDirectory)
    {
        _dns = await RbldnsdServer.StartAsync(SweepScenario.Zones());
        var app = PostmasterApp.Sqlite(dataDirectory, kestrel: true, settings: SweepScenario.Settings(_dns.EndPoint));
        _ = app.ServerAddress;
        await SweepScenario.EnableOnlyAsync(app, SweepScenario.Lists);
        using var api = app.Api();
        await SweepScenario.AddAssetsAsync(api, SweepScenario.Assets);
        return app;
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sweep_now_shows_progress_to_the_end_and_the_listings_view_colours_the_results()
    {
        var page = await SignInAsync("/Blocklists");

        await page.ClickAsync("text=Sweep all assets now");
        await page.WaitForURLAsync("**/Blocklists/Sweep?id=*");
        await page.Locator("#state", new PageLocatorOptions { HasTextString = "completed" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Contains("24 of 24 queries", await page.InnerTextAsync("#progress-text"), StringComparison.Ordinal);

        await page.GotoAsync("/Blocklists/Listings?show=listed");
        var matrix = await page.InnerTextAsync("#matrix");
        Assert.Contains("203.0.113.0/28", matrix, StringComparison.Ordinal);
        Assert.Contains("2 listed", matrix, StringComparison.Ordinal);
        Assert.DoesNotContain("clean.example", matrix, StringComparison.Ordinal);
        Assert.Contains("XBL: exploited host", await page.InnerTextAsync("#active-listings"), StringComparison.Ordinal);

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "postmaster-listings.png"), FullPage = true });
    }

    [Fact]
    public async Task A_lookup_shows_every_code_and_never_calls_a_lapsed_zone_listed()
    {
        var page = await SignInAsync("/Blocklists/Lookup");

        await page.FillAsync("#value", "203.0.113.9");
        await page.ClickAsync("form:has(#value) button[type=submit]");

        var results = await page.InnerTextAsync("#lookup-results");
        Assert.Contains("127.0.0.2, 127.0.0.4", results, StringComparison.Ordinal);

        // The lapsed SpamCop zone answers 192.0.2.1: shown as unknown, never as listed.
        var spamcop = await page.InnerTextAsync("#lookup-results tr:has-text('bl.spamcop.net')");
        Assert.Contains("unknown", spamcop, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sweep_that_skipped_a_list_says_so_at_the_top_of_its_page_once_per_cause()
    {
        var page = await SignInAsync("/Blocklists");

        await page.ClickAsync("text=Sweep all assets now");
        await page.WaitForURLAsync("**/Blocklists/Sweep?id=*");
        await page.Locator("#state", new PageLocatorOptions { HasTextString = "completed" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

        var banner = await page.InnerTextAsync("#lists-skipped");
        Assert.Contains("Only 3 of 4 enabled lists were checked", banner, StringComparison.Ordinal);
        Assert.Contains("SpamCop", banner, StringComparison.Ordinal);
        Assert.Contains("bl.spamcop.net", await page.InnerTextAsync("#skipped-zones"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lookup_shows_a_quarantined_list_as_unknown_with_the_reason_never_as_clean()
    {
        var page = await SignInAsync("/Blocklists/Lookup?value=spammy.example");

        await page.Locator("#lookup-results").WaitForAsync();

        var spamcop = page.Locator("#lookup-results tr:has-text('bl.spamcop.net')");
        Assert.Equal(0, await spamcop.CountAsync()); // an IP list is not asked about a domain
        var surbl = await page.InnerTextAsync("#lookup-results tr:has-text('multi.surbl.org')");
        Assert.Contains("not listed", surbl, StringComparison.Ordinal);

        await page.GotoAsync("/Blocklists/Lookup?value=203.0.113.9");
        var row = page.Locator("#lookup-results tr:has-text('bl.spamcop.net')");
        Assert.Contains("quarantined", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await row.Locator("td.cell.unknown").CountAsync());
        Assert.Equal(0, await row.Locator("td.cell.clean").CountAsync());
        Assert.Contains("unknown, not clean", await page.InnerTextAsync("#lookup-unknown"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_dead_zone_in_the_ui_explains_why_and_keeps_the_input()
    {
        var page = await SignInAsync("/Blocklists");

        await page.ClickAsync("summary:has-text('Add a custom list')");
        await page.FillAsync("#new-zone", "dnsbl.sorbs.net");
        await page.ClickAsync("form:has(#new-zone) button[type=submit]");

        Assert.Contains("dead zone", await page.InnerTextAsync(".message.error"), StringComparison.Ordinal);
        Assert.Equal("dnsbl.sorbs.net", await page.InputValueAsync("#new-zone"));
    }

    [Fact]
    public async Task Editing_a_lists_codes_with_broken_json_is_refused_without_losing_the_text()
    {
        var page = await SignInAsync("/Blocklists");

        await page.ClickAsync("#catalog a:has-text('Spamhaus ZEN')");
        await page.FillAsync("#codes", "{ not json");
        await page.ClickAsync("form:has(#codes) button[type=submit]");

        Assert.Contains("not valid JSON", await page.InnerTextAsync(".message.error"), StringComparison.Ordinal);
        Assert.Equal("{ not json", await page.InputValueAsync("#codes"));
    }
}
