using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Browser;

/// <summary>What a person sees: sign in, paste a mixed list, get per-line results, lose nothing.</summary>
public sealed class AssetPageTests : BrowserTest
{
    [Fact]
    public async Task Signing_in_returns_to_the_page_asked_for()
    {
        var page = await SignInAsync("/Assets");

        Assert.Equal("Assets", await page.InnerTextAsync("h1"));
        Assert.Contains(PostmasterApp.AdminEmail, await page.InnerTextAsync("header"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bulk_paste_adds_the_good_lines_reports_the_bad_and_gives_them_back()
    {
        var page = await SignInAsync("/Assets");

        await page.FillAsync("#lines", "198.51.100.1 mta-1\n999.1.1.1\nnewsletters.example.net");
        await page.ClickAsync("form:has(#lines) button[type=submit]");

        var results = await page.InnerTextAsync("#bulk-results");
        Assert.Contains("999 is above 255", results, StringComparison.Ordinal);
        var inventory = await page.InnerTextAsync("#assets");
        Assert.Contains("198.51.100.1", inventory, StringComparison.Ordinal);
        Assert.Contains("newsletters.example.net", inventory, StringComparison.Ordinal);
        Assert.Equal("999.1.1.1", await page.InputValueAsync("#lines"));
    }

    [Fact]
    public async Task A_label_with_markup_is_shown_as_text()
    {
        var page = await SignInAsync("/Assets");

        await page.FillAsync("#value", "198.51.100.99");
        await page.FillAsync("#label", "<img src=x onerror=alert(1)>");
        await page.ClickAsync("form:has(#value) button[type=submit]");

        Assert.Contains("<img src=x onerror=alert(1)>", await page.InnerTextAsync("#assets"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#assets img").CountAsync());
    }
}
