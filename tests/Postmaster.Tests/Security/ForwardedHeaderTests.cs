using System.Net;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Security;

/// <summary>
/// Behind a TLS proxy the app must know the browser came over HTTPS to mark its cookies Secure, and must
/// believe X-Forwarded-Proto only from the proxies it was told about: here the test's client is the
/// "proxy", on 127.0.0.1, and the app is real Kestrel.
/// </summary>
public sealed class ForwardedHeaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Postmaster:Http:TrustedProxies:0", "127.0.0.0/8")]
    [InlineData("Postmaster:Http:TrustedProxies", "10.9.9.9; 127.0.0.1")] // one environment variable, a list in it
    public async Task Through_a_trusted_proxy_that_says_https_the_sign_in_and_antiforgery_cookies_are_secure(string key, string value)
    {
        var (form, posted) = await SignInThroughProxyAsync(new() { [key] = value });

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.True(SignInForm.IsSecure(SignInForm.Cookie(posted, "postmaster=")), "the session cookie is not Secure");
        Assert.True(SignInForm.IsSecure(SignInForm.Cookie(form, ".AspNetCore.Antiforgery.")), "the antiforgery cookie is not Secure");
    }

    [Fact]
    public async Task From_an_address_that_is_not_a_trusted_proxy_x_forwarded_proto_is_ignored()
    {
        var (form, posted) = await SignInThroughProxyAsync(new() { ["Postmaster:Http:TrustedProxies:0"] = "10.1.2.3" });

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.False(SignInForm.IsSecure(SignInForm.Cookie(posted, "postmaster=")), "a client on plain HTTP claimed HTTPS and got a Secure cookie");
        Assert.False(SignInForm.IsSecure(SignInForm.Cookie(form, ".AspNetCore.Antiforgery.")));
    }

    [Fact]
    public async Task With_no_trusted_proxies_set_even_loopback_is_not_believed()
    {
        var (_, posted) = await SignInThroughProxyAsync([]);

        Assert.False(SignInForm.IsSecure(SignInForm.Cookie(posted, "postmaster=")));
    }

    [Fact]
    public async Task A_trusted_proxy_entry_that_is_not_an_address_stops_start_up_naming_it()
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-proxies-").FullName;
        try
        {
            await using var app = PostmasterApp.Sqlite(dir, settings: new Dictionary<string, string?>
            {
                ["Postmaster:Http:TrustedProxies:0"] = "10.0.0.5",
                ["Postmaster:Http:TrustedProxies:1"] = "proxy.internal",
                ["Postmaster:Http:TrustedProxies:2"] = "10.0.0.0/33",
            });

            var error = Assert.ThrowsAny<Exception>(() => app.Services);

            var message = error.ToString();
            Assert.Contains("Postmaster:Http:TrustedProxies has \"proxy.internal\", which is not an IP address or a CIDR network", message, StringComparison.Ordinal);
            Assert.Contains("Postmaster:Http:TrustedProxies has \"10.0.0.0/33\", which is not a CIDR network", message, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(HttpResponseMessage Form, HttpResponseMessage Posted)> SignInThroughProxyAsync(Dictionary<string, string?> settings)
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-proxies-").FullName;
        try
        {
            await using var app = PostmasterApp.Sqlite(dir, kestrel: true, settings: settings);
            using var proxy = SignInForm.Client(app, app.ServerAddress);
            proxy.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
            proxy.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.50");

            return await SignInForm.SignInAsync(proxy, Ct);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
