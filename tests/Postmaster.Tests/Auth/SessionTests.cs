using System.Net;
using System.Net.Http.Json;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Auth;

/// <summary>A session or key lasts only as long as the person behind it may still do what it does.</summary>
public sealed class SessionTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    private PostmasterApp App => fixture.App;

    [Fact]
    public async Task A_removed_user_is_signed_out_at_the_next_request()
    {
        var id = await TestUsers.CreateAsync(App, "removed@postmaster.test", Roles.Responder);
        using var user = await CookieSession.SignInAsync(App, "removed@postmaster.test", TestUsers.Password);
        using var admin = await CookieSession.SignInAsync(App, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);
        var before = await user.GetAsync("/Assets");

        await admin.PostFormAsync("/Settings/Users", [], $"/Settings/Users?handler=Delete&id={id}");
        var after = await user.GetAsync("/Assets");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", PathOf(after.Headers.Location), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_demoted_admin_loses_the_admin_pages_at_the_next_request()
    {
        var id = await TestUsers.CreateAsync(App, "demoted@postmaster.test", Roles.Admin);
        using var user = await CookieSession.SignInAsync(App, "demoted@postmaster.test", TestUsers.Password);
        using var admin = await CookieSession.SignInAsync(App, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);
        var before = await user.GetAsync("/Settings/Users");

        await admin.PostFormAsync("/Settings/Users", new() { ["Role"] = Roles.Viewer }, $"/Settings/Users?handler=Role&id={id}");
        var after = await user.GetAsync("/Settings/Users");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Matches("^/(login|Account/Denied)", PathOf(after.Headers.Location));
    }

    [Fact]
    public async Task A_removed_users_api_key_answers_401_saying_why()
    {
        var id = await TestUsers.CreateAsync(App, "keyholder@postmaster.test", Roles.Responder);
        var key = await App.CreateApiKeyAsync(Roles.Responder, "keyholder@postmaster.test");
        using var api = App.Api(key);
        using var admin = await CookieSession.SignInAsync(App, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);
        var ct = TestContext.Current.CancellationToken;
        var before = await api.GetAsync("/api/assets", ct);

        await admin.PostFormAsync("/Settings/Users", [], $"/Settings/Users?handler=Delete&id={id}");
        var after = await api.GetAsync("/api/assets", ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("keyholder@postmaster.test, was removed", await after.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_key_owned_by_a_responder_acts_as_a_responder()
    {
        await TestUsers.CreateAsync(App, "responder-with-admin-key@postmaster.test", Roles.Responder);
        var key = await App.CreateApiKeyAsync(Roles.Admin, "responder-with-admin-key@postmaster.test");
        using var api = App.Api(key);
        var ct = TestContext.Current.CancellationToken;

        var responderWork = await api.PostAsJsonAsync("/api/assets", new { value = "198.51.100.201" }, ct);
        var adminWork = await api.GetAsync("/api/audit", ct);

        Assert.Equal(HttpStatusCode.Created, responderWork.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, adminWork.StatusCode);
        Assert.Contains("acts as Responder", await adminWork.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_session_cookie_lasts_past_the_browser_only_when_asked_to()
    {
        await TestUsers.CreateAsync(App, "remember@postmaster.test", Roles.Viewer);
        using var forgetful = new CookieSession(App);
        using var remembered = new CookieSession(App);

        var plain = await forgetful.SignInAttemptAsync("remember@postmaster.test", TestUsers.Password);
        var kept = await remembered.SignInAttemptAsync("remember@postmaster.test", TestUsers.Password, rememberMe: true);

        Assert.DoesNotContain("expires=", SessionCookie(plain), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expires=", SessionCookie(kept), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_person_changes_their_own_password_and_the_old_one_stops_working()
    {
        await TestUsers.CreateAsync(App, "changer@postmaster.test", Roles.Viewer);
        using var user = await CookieSession.SignInAsync(App, "changer@postmaster.test", TestUsers.Password);
        const string NewPassword = "another long passphrase";

        var changed = await user.PostFormAsync("/Account/Password", new() { ["Current"] = TestUsers.Password, ["New"] = NewPassword });
        using var withOld = new CookieSession(App);
        using var withNew = new CookieSession(App);
        var old = await withOld.SignInAttemptAsync("changer@postmaster.test", TestUsers.Password);
        var fresh = await withNew.SignInAttemptAsync("changer@postmaster.test", NewPassword);

        Assert.Contains("Password changed.", await changed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, old.StatusCode); // the sign-in page again, with the error
        Assert.Equal(HttpStatusCode.Redirect, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/Assets")).StatusCode); // this session stays
    }

    private static string PathOf(Uri? location) =>
        location is null ? "" : location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    private static string SessionCookie(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("postmaster=", StringComparison.Ordinal));
}
