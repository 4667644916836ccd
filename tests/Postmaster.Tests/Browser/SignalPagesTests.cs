using Postmaster.Tests.Infrastructure;
using Postmaster.Tests.Signals.Logs;

namespace Postmaster.Tests.Browser;

/// <summary>The paste box: a person pastes log lines and sees how each is read, nothing stored.</summary>
public sealed class SignalPagesTests : BrowserTest
{
    [Fact]
    public async Task Pasted_postfix_lines_are_classified_per_line_with_garbage_marked()
    {
        var page = await SignInAsync("/Signals/Try");

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
