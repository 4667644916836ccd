using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Security;

/// <summary>
/// Host names and HTTPS in production: a forged Host header gets a 400, not a redirect to the forger's
/// site; HSTS goes out over HTTPS outside Development; production says so when any host is accepted.
/// </summary>
public sealed class HostAndHstsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-hosts-").FullName;
    private readonly List<IAsyncDisposable> _apps = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_allowed_hosts_set_a_forged_host_gets_400_and_no_redirect_to_it()
    {
        var (app, _) = Start("Production", allowedHosts: "postmaster.example");
        using var forged = Client(app, "http://evil.example/");
        using var genuine = Client(app, "http://postmaster.example/");

        using var refused = await forged.GetAsync("/Assets", Ct);
        using var redirected = await genuine.GetAsync("/Assets", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null(refused.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.DoesNotContain("evil.example", redirected.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Production_warns_at_start_up_when_any_host_is_accepted_and_not_when_they_are_named()
    {
        var (_, anyHostLogs) = Start("Production", allowedHosts: null);
        var (_, namedLogs) = Start("Production", allowedHosts: "postmaster.example");

        Assert.Contains(anyHostLogs, l => l.StartsWith("AllowedHosts is * (any host)", StringComparison.Ordinal) && l.Contains("AllowedHosts=postmaster.example.com", StringComparison.Ordinal));
        Assert.DoesNotContain(namedLogs, l => l.StartsWith("AllowedHosts is", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Production_over_https_sends_hsts_and_over_plain_http_does_not()
    {
        var (app, _) = Start("Production", allowedHosts: "postmaster.example");
        using var https = Client(app, "https://postmaster.example/");
        using var http = Client(app, "http://postmaster.example/");

        using var secure = await https.GetAsync("/login", Ct);
        using var plain = await http.GetAsync("/login", Ct);

        Assert.StartsWith("max-age=", SecurityHeaderRules.Header(secure, "Strict-Transport-Security"), StringComparison.Ordinal);
        Assert.Null(SecurityHeaderRules.Header(plain, "Strict-Transport-Security"));
    }

    [Fact]
    public async Task Development_sends_no_hsts_even_over_https()
    {
        var (app, _) = Start("Development", allowedHosts: null);
        using var https = Client(app, "https://postmaster.example/");

        using var secure = await https.GetAsync("/login", Ct);

        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Null(SecurityHeaderRules.Header(secure, "Strict-Transport-Security"));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The app as <paramref name="environment"/>, with its shipped appsettings files, on a database of its own.</summary>
    private (WebApplicationFactory<Program> App, IReadOnlyCollection<string> Logs) Start(string environment, string? allowedHosts)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, _apps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        var settings = new Dictionary<string, string?> { ["AllowedHosts"] = allowedHosts };
        var root = PostmasterApp.Sqlite(dir, settings: settings);
        _apps.Add(root);
        var app = root.WithWebHostBuilder(b => b.UseEnvironment(environment));
        _ = app.Services;
        return (app, root.Logs);
    }

    private static HttpClient Client(WebApplicationFactory<Program> app, string baseAddress) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(baseAddress) });
}
