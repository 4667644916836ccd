using System.Net;
using System.Text.RegularExpressions;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Auth;

public sealed partial class FirstRunTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-firstrun-").FullName;
    private PostmasterApp _app = null!;

    public ValueTask InitializeAsync()
    {
        _app = PostmasterApp.Sqlite(_dir, bootstrap: false);
        _ = _app.Services;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Without_bootstrap_settings_the_log_gives_a_one_time_setup_link_that_creates_the_admin()
    {
        var ct = TestContext.Current.CancellationToken;
        var token = Assert.Single(_app.Logs.Select(l => SetupLink().Match(l)), m => m.Success).Groups[1].Value;
        using var browser = _app.Api(key: null);

        var withoutToken = await browser.GetAsync("/setup", ct);
        var form = await browser.GetStringAsync($"/setup?token={token}", ct);
        using var post = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = token,
            ["Email"] = "first@postmaster.test",
            ["Password"] = "a long enough passphrase",
            ["__RequestVerificationToken"] = AntiForgery().Match(form).Groups[1].Value,
        });
        var created = await browser.PostAsync("/setup", post, ct);
        var reused = await browser.GetAsync($"/setup?token={token}", ct);

        Assert.Equal(HttpStatusCode.NotFound, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reused.StatusCode);
    }

    [GeneratedRegex(@"/setup\?token=([0-9a-f]{32})")]
    private static partial Regex SetupLink();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();
}
