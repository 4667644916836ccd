using Microsoft.Playwright;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Browser;

/// <summary>Signing out ends the session: the next page asks for a sign-in again.</summary>
public sealed class SignOutTests : BrowserTest
{
    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var page = await SignInAsync("/Assets");

        await page.ClickAsync("header button:has-text('Sign out')");
        await page.WaitForURLAsync("**/login", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.GotoAsync("/Assets");

        Assert.Contains("/login", page.Url, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Sign in to Postmaster", await page.InnerTextAsync("h1"));
    }
}
