using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Security;

/// <summary>Chromium under the Content-Security-Policy: the pages still work, and none of them trips it.</summary>
public sealed class PolicyInBrowserTests : BrowserTest
{
    private const string Asset = "198.51.100.7";

    protected override async Task<PostmasterApp> StartAppAsync(string dataDirectory)
    {
        var app = PostmasterApp.Sqlite(dataDirectory, kestrel: true, settings: CrawledApp.Settings());
        _ = app.ServerAddress;
        await CrawledApp.AddAssetAndSweepAsync(app);
        return app;
    }

    [Fact]
    public async Task Remove_asks_first_keeps_the_asset_when_dismissed_and_removes_it_when_accepted()
    {
        var page = await SignInAsync("/Assets");
        var violations = Watch(page);
        var response = await page.ReloadAsync();
        var accept = false;
        var asked = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            asked.Add(dialog.Message);
            await (accept ? dialog.AcceptAsync() : dialog.DismissAsync());
        };
        var remove = page.Locator($"button[aria-label='Remove {Asset}']");

        await remove.ClickAsync();
        var keptOnScreen = await page.InnerTextAsync("#assets");
        accept = true;
        await remove.ClickAsync();
        await remove.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        Assert.Contains("script-src 'self'", (await response!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal([$"Remove {Asset}?", $"Remove {Asset}?"], asked);
        Assert.Contains(Asset, keptOnScreen, StringComparison.Ordinal);
        using var api = App!.Api();
        var assets = await ApiPages.AllAsync(api, "/api/assets", ct: TestContext.Current.CancellationToken);
        Assert.Empty(assets);
        Assert.Empty(violations);
    }

    [Fact]
    public async Task No_page_trips_the_policy_which_the_browser_enforces()
    {
        var page = await SignInAsync("/");
        var violations = Watch(page);

        var unprotected = new List<string>();
        foreach (var path in CrawledApp.RazorPages(App!.Services))
        {
            var response = await page.GotoAsync(path);
            var headers = response is null ? [] : await response.AllHeadersAsync();
            if (!headers.TryGetValue("content-security-policy", out var policy) || !policy.Contains("script-src 'self'", StringComparison.Ordinal))
            {
                unprotected.Add(path);
            }
        }

        Assert.Empty(unprotected);
        Assert.Empty(violations);

        // The watcher sees a violation when there is one, and the browser refuses injected inline script.
        var ran = true;
        var reported = await page.RunAndWaitForConsoleMessageAsync(
            async () => ran = await page.EvaluateAsync<bool>(
                "() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.head.append(s); return window.injected === true; }"),
            new PageRunAndWaitForConsoleMessageOptions { Predicate = m => m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) });
        Assert.False(ran);
        Assert.Contains("inline script", reported.Text, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every CSP violation the browser reports on this page, from now on.</summary>
    private static List<string> Watch(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add($"{page.Url}: {message.Text}");
                }
            }
        };
        return violations;
    }
}
