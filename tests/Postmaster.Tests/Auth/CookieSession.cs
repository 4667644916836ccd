using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Auth;

/// <summary>
/// What a browser does with cookies and forms, over real HTTP to the app on Kestrel: keeps the
/// cookies it is given (whatever their Secure flag: the test server speaks plain HTTP on loopback),
/// reads a page's antiforgery token and posts its form. No redirects are followed, so tests see them.
/// </summary>
public sealed partial class CookieSession : IDisposable
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);
    private readonly HttpClient _http;

    public CookieSession(PostmasterApp app) =>
        _http = new HttpClient(new Jar(_cookies, new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }))
        {
            BaseAddress = app.ServerAddress,
        };

    public static async Task<CookieSession> SignInAsync(PostmasterApp app, string email, string password, bool rememberMe = false)
    {
        var session = new CookieSession(app);
        var response = await session.SignInAttemptAsync(email, password, rememberMe);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {email} answered {(int)response.StatusCode}, not a redirect.");
        }

        return session;
    }

    /// <summary>Posts the sign-in form once; the answer is a redirect on success, the page again on failure.</summary>
    public async Task<HttpResponseMessage> SignInAttemptAsync(string email, string password, bool rememberMe = false)
    {
        var fields = new Dictionary<string, string> { ["Email"] = email, ["Password"] = password };
        if (rememberMe)
        {
            fields["RememberMe"] = "true";
        }

        return await PostFormAsync("/login", fields);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path, TestContext.Current.CancellationToken);

    /// <summary>Opens the form's page for its antiforgery token, then posts the fields to <paramref name="action"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, Dictionary<string, string> fields, string? action = null)
    {
        var html = await (await GetAsync(page)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var token = AntiForgery().Match(html);
        if (token.Success)
        {
            fields["__RequestVerificationToken"] = token.Groups[1].Value;
        }

        using var body = new FormUrlEncodedContent(fields);
        return await _http.PostAsync(action ?? page, body, TestContext.Current.CancellationToken);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();

    private sealed class Jar(Dictionary<string, string> cookies, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
            }

            var response = await base.SendAsync(request, cancellationToken);
            var set = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
            foreach (var header in set)
            {
                var pair = header.Split(';')[0];
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var (name, value) = (pair[..eq].Trim(), pair[(eq + 1)..].Trim());
                if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                {
                    cookies.Remove(name);
                }
                else
                {
                    cookies[name] = value;
                }
            }

            return response;
        }
    }
}

/// <summary>People for auth tests, added the way the first admin would add them.</summary>
public static class TestUsers
{
    public const string Password = "a long enough test passphrase";

    public static async Task<string> CreateAsync(PostmasterApp app, string email, string role)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PostmasterUser>>();
        var user = new PostmasterUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, role);
        return user.Id;
    }
}
