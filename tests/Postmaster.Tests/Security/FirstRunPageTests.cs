using System.Net;
using System.Text.RegularExpressions;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Security;

/// <summary>The pages of a database with no users yet (first-run set-up, sign-in pointing at it) keep the same rules.</summary>
public sealed partial class FirstRunPageTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-firstrun-headers-").FullName;
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
    public async Task The_set_up_and_sign_in_pages_send_the_headers_and_hold_no_inline_script()
    {
        var ct = TestContext.Current.CancellationToken;
        var token = Assert.Single(_app.Logs.Select(l => SetupLink().Match(l)), m => m.Success).Groups[1].Value;
        using var client = SignInForm.Client(_app);

        foreach (var path in new[] { $"/setup?token={token}", "/login" })
        {
            using var response = await client.GetAsync(path, ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(SecurityHeaderRules.Broken(response));
            Assert.Empty(SecurityHeaderRules.InlineScriptOrStyle(await response.Content.ReadAsStringAsync(ct)));
        }
    }

    [GeneratedRegex(@"/setup\?token=([0-9a-f]{32})")]
    private static partial Regex SetupLink();
}
