using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Browser;

/// <summary>A person sweeps on a machine whose resolver answers NXDOMAIN for everything, with the whole shipped catalog enabled.</summary>
public sealed class UncheckedSweepPageTests : BrowserTest
{
    private RbldnsdServer? _dns;

    protected override string? UnavailableReason => Chromium.UnavailableReason ?? RbldnsdServer.UnavailableReason;

    protected override async Task<PostmasterApp> StartAppAsync(string dataDirectory)
    {
        _dns = await RbldnsdServer.StartAsync(SweepScenario.NxdomainForEverything());
        var app = PostmasterApp.Sqlite(dataDirectory, kestrel: true, settings: SweepScenario.Settings(_dns.EndPoint));
        _ = app.ServerAddress;
        using var api = app.Api();
        await SweepScenario.AddAssetsAsync(api, "203.0.113.7");
        return app;
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
    }

    private async Task<int> EnabledListCountAsync()
    {
        using var api = App!.Api();
        var lists = await ApiPages.AllAsync(api, "/api/blocklists", ct: TestContext.Current.CancellationToken);
        return lists.Count(l => l.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_sweep_that_could_check_no_list_shows_failed_with_one_reason_not_a_clean_run()
    {
        var page = await SignInAsync("/Blocklists");

        await page.ClickAsync("text=Sweep all assets now");
        await page.WaitForURLAsync("**/Blocklists/Sweep?id=*");
        await page.Locator("#state", new PageLocatorOptions { HasTextString = "failed" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

        var reason = await page.InnerTextAsync("#sweep-reason");
        Assert.Contains($"The resolver {_dns!.EndPoint} (Postmaster:Dns:Servers) answered NXDOMAIN", reason, StringComparison.Ordinal);
        Assert.Contains("local recursive resolver", reason, StringComparison.Ordinal);
        Assert.Equal("Nothing was checked", await page.InnerTextAsync("#progress-text"));
        Assert.Contains($"0 lists checked, {await EnabledListCountAsync()} skipped", await page.InnerTextAsync("#lists-checked"), StringComparison.Ordinal);
        var body = await page.InnerTextAsync("body");
        Assert.DoesNotContain("does not list its test point", body, StringComparison.Ordinal);
        Assert.DoesNotContain("100 %", body, StringComparison.Ordinal);
    }
}
