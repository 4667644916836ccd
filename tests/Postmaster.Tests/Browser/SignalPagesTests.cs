using Microsoft.Playwright;
using Postmaster.Tests.Infrastructure;
using Postmaster.Tests.Signals.Logs;

namespace Postmaster.Tests.Browser;

/// <summary>The paste box: a person pastes log lines and sees how each is read, nothing stored.</summary>
public sealed class SignalPagesTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-browser-sig-").FullName;
    private PostmasterApp? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        if (Chromium.UnavailableReason is not null && !Requirement.InCi)
        {
            return;
        }

        _app = PostmasterApp.Sqlite(_dir, kestrel: true);
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Pasted_postfix_lines_are_classified_per_line_with_garbage_marked()
    {
        Requirement.Require(Chromium.UnavailableReason);
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { BaseURL = _app!.ServerAddress.ToString() });
        await page.GotoAsync("/Signals/Try");
        await page.FillAsync("#email", PostmasterApp.AdminEmail);
        await page.FillAsync("#password", PostmasterApp.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/Signals/Try");

        await page.SelectOptionAsync("#format", "postfix");
        await page.FillAsync("#text", PostfixLogParserTests.OutlookS3150 + "\nNov 23 10:00:03 mx1 postfix/smtp[1]: X: to=<broken\n" + PostfixLogParserTests.YahooTss04);
        await page.ClickAsync("form:has(#text) button[type=submit]");

        var table = await page.InnerTextAsync("#classified");
        Assert.Contains("microsoft", table, StringComparison.Ordinal);
        Assert.Contains("ip-reputation", table, StringComparison.Ordinal);
        Assert.Contains("yahoo", table, StringComparison.Ordinal);
        Assert.Contains("malformed", table, StringComparison.Ordinal);
        Assert.Contains("to=<broken", await page.InputValueAsync("#text"), StringComparison.Ordinal);
    }
}
