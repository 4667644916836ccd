using System.Net;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Auth;

/// <summary>Guessing passwords is slowed per address; nobody can lock someone else out or learn who has an account.</summary>
public sealed class SignInHardeningTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    private PostmasterApp App => fixture.App;

    [Fact]
    public async Task Ten_wrong_passwords_do_not_lock_the_account()
    {
        await TestUsers.CreateAsync(App, "target@postmaster.test", Roles.Admin);
        using var attacker = new CookieSession(App);
        for (var i = 0; i < 10; i++)
        {
            await attacker.SignInAttemptAsync("target@postmaster.test", $"wrong guess number {i}");
        }

        using var owner = new CookieSession(App);
        var response = await owner.SignInAttemptAsync("target@postmaster.test", TestUsers.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task A_known_and_an_unknown_email_get_the_same_answer()
    {
        await TestUsers.CreateAsync(App, "known@postmaster.test", Roles.Viewer);
        using var client = new CookieSession(App);
        for (var i = 0; i < 10; i++)
        {
            await client.SignInAttemptAsync("known@postmaster.test", $"wrong guess number {i}");
        }

        var known = await client.SignInAttemptAsync("known@postmaster.test", "one more wrong guess");
        var unknown = await client.SignInAttemptAsync("nobody@postmaster.test", "one more wrong guess");

        Assert.Equal(known.StatusCode, unknown.StatusCode);
        Assert.Equal(await ErrorOf(known), await ErrorOf(unknown));
    }

    [Fact]
    public async Task A_failed_sign_in_is_logged_with_the_address_and_without_the_password()
    {
        const string Password = "Tr0ub4dor&3 never to be logged";
        using var client = new CookieSession(App);

        await client.SignInAttemptAsync("logged@postmaster.test", Password);

        Assert.Contains(App.Logs, l => l.Contains("Failed sign-in for logged@postmaster.test from 127.0.0.1", StringComparison.Ordinal));
        Assert.DoesNotContain(App.Logs, l => l.Contains("Tr0ub4dor", StringComparison.Ordinal));
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var start = html.IndexOf("role=\"alert\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "The sign-in page shows no error.");
        return html[start..html.IndexOf("</div>", start, StringComparison.Ordinal)];
    }
}

/// <summary>The shipped limit, on an app of its own so no other test spends its attempts.</summary>
public sealed class SignInRateLimitTests(DefaultLimitsAppFixture fixture) : IClassFixture<DefaultLimitsAppFixture>
{
    [Fact]
    public async Task The_eleventh_sign_in_attempt_in_a_minute_answers_429_saying_when_to_retry()
    {
        using var client = new CookieSession(fixture.App);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            answers.Add((await client.SignInAttemptAsync(PostmasterApp.AdminEmail, $"wrong guess number {i}")).StatusCode);
        }

        var refused = await client.SignInAttemptAsync(PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);
        var sidestep = await client.PostFormAsync(
            "/login", new() { ["Email"] = PostmasterApp.AdminEmail, ["Password"] = PostmasterApp.AdminPassword }, "/Account/LOGIN/");

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, sidestep.StatusCode); // the same form by another path
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("Try again in", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains(fixture.App.Logs, l => l.Contains("from 127.0.0.1 refused", StringComparison.Ordinal));
    }
}
