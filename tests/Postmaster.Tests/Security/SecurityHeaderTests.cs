using System.Net;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Security;

/// <summary>
/// Every answer tells the browser to run no inline script, not to sniff types, not to leak its address
/// in Referer and never to be framed: every page (as the app routes them, signed in as the admin), the
/// sign-in page, and the JSON API.
/// </summary>
public sealed class SecurityHeaderTests(CrawledApp crawled) : IClassFixture<CrawledApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_page_sends_a_strict_policy_nosniff_a_referrer_policy_and_refuses_framing()
    {
        using var client = await SignInForm.SignedInAsync(crawled.App, Ct);

        var broken = new List<string>();
        foreach (var page in crawled.Pages)
        {
            using var response = await client.GetAsync(page, Ct);
            broken.AddRange(SecurityHeaderRules.Broken(response).Select(b => $"{page} ({(int)response.StatusCode}): {b}"));
        }

        Assert.True(crawled.Pages.Count >= 15, $"Only {crawled.Pages.Count} pages found: {string.Join(", ", crawled.Pages)}");
        Assert.Empty(broken);
    }

    [Fact]
    public async Task No_page_holds_inline_script_or_an_on_handler_attribute()
    {
        using var client = await SignInForm.SignedInAsync(crawled.App, Ct);

        var found = new List<string>();
        var rendered = new List<string>();
        foreach (var page in crawled.Pages)
        {
            using var response = await client.GetAsync(page, Ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                continue;
            }

            rendered.Add(page);
            var html = await response.Content.ReadAsStringAsync(Ct);
            found.AddRange(SecurityHeaderRules.InlineScriptOrStyle(html).Select(s => $"{page}: {s}"));
        }

        // Every page that shows something rendered (set-up answers 404 once an admin exists, sign-out
        // redirects): the scan read real pages, the asset list with its remove buttons among them.
        Assert.Contains("/Assets/Index?id=1", rendered);
        Assert.Contains("/Blocklists/Sweep?id=1", rendered);
        Assert.True(rendered.Count >= crawled.Pages.Count - 2, $"Only these pages rendered: {string.Join(", ", rendered)}");
        Assert.Empty(found);
    }

    [Fact]
    public async Task The_sign_in_page_sends_the_headers_to_someone_not_signed_in()
    {
        using var client = SignInForm.Client(crawled.App);

        using var login = await client.GetAsync("/login", Ct);
        using var redirect = await client.GetAsync("/Assets", Ct);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Empty(SecurityHeaderRules.Broken(login));
        Assert.Empty(SecurityHeaderRules.InlineScriptOrStyle(await login.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Empty(SecurityHeaderRules.Broken(redirect));
    }

    [Fact]
    public async Task Api_answers_send_the_headers_too_errors_included()
    {
        using var api = crawled.App.Api();
        using var anonymous = crawled.App.Api(key: null);

        using var list = await api.GetAsync("/api/assets", Ct);
        using var unauthorised = await anonymous.GetAsync("/api/assets", Ct);
        using var notFound = await api.GetAsync("/api/sweeps/987654", Ct);
        using var openApi = await anonymous.GetAsync("/openapi/v1.json", Ct);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Empty(SecurityHeaderRules.Broken(list));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        Assert.Empty(SecurityHeaderRules.Broken(unauthorised));
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Empty(SecurityHeaderRules.Broken(notFound));
        Assert.Empty(SecurityHeaderRules.Broken(openApi));
    }
}
