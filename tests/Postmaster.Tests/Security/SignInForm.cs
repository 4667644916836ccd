using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Security;

/// <summary>Signs in the way a browser does: the form, its antiforgery token and cookie, a POST.</summary>
internal static partial class SignInForm
{
    /// <summary>
    /// GET /login, then POST the bootstrap admin's credentials. Cookies are carried by hand, not by a
    /// cookie container, which would hold back a Secure cookie from a plain-HTTP request.
    /// </summary>
    public static async Task<(HttpResponseMessage Form, HttpResponseMessage Posted)> SignInAsync(HttpClient client, CancellationToken ct)
    {
        var form = await client.GetAsync("/login", ct);
        var html = await form.Content.ReadAsStringAsync(ct);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = PostmasterApp.AdminEmail,
                ["Password"] = PostmasterApp.AdminPassword,
                ["__RequestVerificationToken"] = AntiForgery().Match(html).Groups[1].Value,
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", Cookies(form).Select(c => c.Split(';')[0])));
        return (form, await client.SendAsync(post, ct));
    }

    /// <summary>The Set-Cookie values of an answer, attributes included.</summary>
    public static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    /// <summary>The Set-Cookie value whose name starts with <paramref name="prefix"/>.</summary>
    public static string Cookie(HttpResponseMessage response, string prefix) =>
        Assert.Single(Cookies(response), c => c.StartsWith(prefix, StringComparison.Ordinal));

    public static bool IsSecure(string setCookie) =>
        setCookie.Split(';').Skip(1).Any(a => a.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase));

    /// <summary>A client that follows no redirect and keeps no cookies: for the test server, or for <paramref name="server"/> on Kestrel.</summary>
    public static HttpClient Client(PostmasterApp app, Uri? server = null) =>
        server is null
            ? app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false })
            : new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server };

    /// <summary>A client signed in as the bootstrap admin, for crawling pages.</summary>
    public static async Task<HttpClient> SignedInAsync(PostmasterApp app, CancellationToken ct)
    {
        var client = Client(app);
        var (_, posted) = await SignInAsync(client, ct);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, posted.StatusCode);
        client.DefaultRequestHeaders.Add("Cookie", Cookie(posted, "postmaster=").Split(';')[0]);
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();
}
