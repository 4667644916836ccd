using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Auth;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Incidents;

/// <summary>An app with a viewer, a responder and incidents written as the engine writes them.</summary>
public sealed class IncidentPageFixture : IAsyncLifetime
{
    public const string Viewer = "viewer@postmaster.test";
    public const string Responder = "responder@postmaster.test";

    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-incident-pages-").FullName;
    private int _addresses;

    public PostmasterApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = PostmasterApp.Sqlite(_dir, kestrel: true);
        _ = App.ServerAddress;
        await TestUsers.CreateAsync(App, Viewer, Roles.Viewer);
        await TestUsers.CreateAsync(App, Responder, Roles.Responder);
    }

    /// <summary>A fresh incident per test, so one test's change is not another's starting point.</summary>
    public Task<Incident> MicrosoftBlockAsync(string provider = "microsoft")
    {
        var now = DateTimeOffset.UtcNow;
        var ip = $"192.0.2.{Interlocked.Increment(ref _addresses)}";
        return IncidentSeed.AddAsync(
            App,
            IncidentSeed.Active(provider, ip, IncidentSeverity.High, now),
            values: [IncidentSeed.Refused(provider, ip, now)],
            samples: [IncidentSeed.Rejection(provider, ip, "outlook-com.olc.protection.outlook.com", $"550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. <b>S3150</b>", now)]);
    }

    /// <summary>A fresh incident listed on the first catalog list that is on (or off), as the engine records a listing.</summary>
    public async Task<(Incident Incident, string List)> ListingBlockAsync(bool listEnabled)
    {
        var now = DateTimeOffset.UtcNow;
        var ip = $"192.0.2.{Interlocked.Increment(ref _addresses)}";
        Postmaster.Web.Blocklists.Blocklist list;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Postmaster.Web.Infrastructure.Database.PostmasterDbContext>();
            list = await db.Blocklists.AsNoTracking().Where(b => b.Enabled == listEnabled).OrderBy(b => b.Id).FirstAsync(TestContext.Current.CancellationToken);
        }

        var value = new IncidentValue
        {
            Value = ip,
            Source = list.Zone,
            Basis = IncidentBasis.Listing,
            Active = true,
            BlocklistId = list.Id,
            Codes = "127.0.0.2",
            FirstSeen = now,
            LastSeen = now,
        };
        var incident = await IncidentSeed.AddAsync(App, IncidentSeed.Active($"list-{list.Id}", ip, IncidentSeverity.Medium, now), values: [value]);
        return (incident, list.Name);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The incident page over HTTP: who sees the form, who may post it, and what a refused change gives back.</summary>
public sealed class IncidentPageTests(IncidentPageFixture fixture) : IClassFixture<IncidentPageFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> HtmlAsync(HttpResponseMessage response) => await response.Content.ReadAsStringAsync(Ct);

    [Fact]
    public async Task A_viewer_sees_the_incident_but_no_form_to_change_it()
    {
        var incident = await fixture.MicrosoftBlockAsync();
        using var viewer = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Viewer, TestUsers.Password);

        using var response = await viewer.GetAsync($"/incidents/{incident.Id}");
        var html = await HtmlAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(incident.GroupValue, html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"change-form\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"note\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_change_from_a_viewer_is_refused_and_changes_nothing()
    {
        var incident = await fixture.MicrosoftBlockAsync();
        using var viewer = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Viewer, TestUsers.Password);

        // The viewer's page has no form: the token comes from another form of the same session.
        using var response = await viewer.PostFormAsync(
            "/Signals/Try",
            new Dictionary<string, string> { ["state"] = "wont-fix", ["note"] = "forged" },
            action: $"/incidents/{incident.Id}?handler=Change");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Denied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var after = (await IncidentDb.QueryAsync(fixture.App, db => db.Incidents.AsNoTracking().Where(i => i.Id == incident.Id))).Single();
        Assert.Equal(IncidentState.Open, after.State);
        Assert.Single(await IncidentDb.QueryAsync(fixture.App, db => db.IncidentTimeline.Where(t => t.IncidentId == incident.Id)));
    }

    [Fact]
    public async Task A_refused_change_says_why_and_keeps_the_typed_note()
    {
        var incident = await fixture.MicrosoftBlockAsync();
        using var responder = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Responder, TestUsers.Password);

        using var response = await responder.PostFormAsync(
            $"/incidents/{incident.Id}",
            new Dictionary<string, string> { ["state"] = "resolved", ["assignee"] = "", ["severity"] = "auto", ["note"] = "Microsoft says it is lifted <i>now</i>" },
            action: $"/incidents/{incident.Id}?handler=Change");
        var html = await HtmlAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("An incident resolves itself when its checks come back clean", html, StringComparison.Ordinal);
        Assert.Contains("Microsoft says it is lifted &lt;i&gt;now&lt;/i&gt;</textarea>", html, StringComparison.Ordinal);
        Assert.Single(await IncidentDb.QueryAsync(fixture.App, db => db.IncidentTimeline.Where(t => t.IncidentId == incident.Id)));
    }

    [Fact]
    public async Task A_severity_set_by_hand_is_pinned_and_auto_gives_it_back_to_the_rules()
    {
        var incident = await fixture.MicrosoftBlockAsync();
        using var responder = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Responder, TestUsers.Password);
        var page = $"/incidents/{incident.Id}";
        var action = $"{page}?handler=Change";

        using var pinned = await responder.PostFormAsync(page, new() { ["state"] = "open", ["assignee"] = "", ["severity"] = "critical", ["note"] = "" }, action);
        var pinnedHtml = WebUtility.HtmlDecode(await HtmlAsync(await responder.GetAsync(page)));
        using var auto = await responder.PostFormAsync(page, new() { ["state"] = "open", ["assignee"] = "", ["severity"] = "auto", ["note"] = "" }, action);
        var autoHtml = WebUtility.HtmlDecode(await HtmlAsync(await responder.GetAsync(page)));

        Assert.Equal(HttpStatusCode.Redirect, pinned.StatusCode);
        Assert.Contains("severity set by hand", pinnedHtml, StringComparison.Ordinal);
        Assert.Contains("Severity high → critical, set by hand.", pinnedHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, auto.StatusCode);
        Assert.Contains("severity set by the rules", autoHtml, StringComparison.Ordinal);
        Assert.Contains("Severity back to the rules", autoHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_incident_page_shows_rejections_with_receiver_mx_and_text_encoded()
    {
        var incident = await fixture.MicrosoftBlockAsync();
        using var viewer = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Viewer, TestUsers.Password);

        var html = await HtmlAsync(await viewer.GetAsync($"/incidents/{incident.Id}"));

        Assert.Contains("outlook-com.olc.protection.outlook.com", html, StringComparison.Ordinal);
        Assert.Contains($"messages from [{incident.GroupValue}] weren&#x27;t sent. &lt;b&gt;S3150&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>S3150</b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_to_do_next_comes_from_the_provider_pack()
    {
        var incident = await fixture.MicrosoftBlockAsync();
        using var viewer = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Viewer, TestUsers.Password);

        var html = await HtmlAsync(await viewer.GetAsync($"/incidents/{incident.Id}"));

        Assert.Contains("href=\"https://olcsupport.office.com/\"", html, StringComparison.Ordinal);
        Assert.Contains("follow up after 3 days", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"nothing-known\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_to_do_next_says_plainly_when_nothing_is_known()
    {
        var incident = await fixture.MicrosoftBlockAsync(provider: "some-unknown-gateway");
        using var viewer = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Viewer, TestUsers.Password);

        var html = await HtmlAsync(await viewer.GetAsync($"/incidents/{incident.Id}"));

        Assert.Contains("id=\"nothing-known\"", html, StringComparison.Ordinal);
        Assert.Contains("Postmaster knows no way out of this block yet", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_listed_on_a_list_turned_off_is_named_as_never_checked_again()
    {
        var (off, offList) = await fixture.ListingBlockAsync(listEnabled: false);
        var (on, _) = await fixture.ListingBlockAsync(listEnabled: true);
        using var viewer = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Viewer, TestUsers.Password);

        var offHtml = await HtmlAsync(await viewer.GetAsync($"/incidents/{off.Id}"));
        var onHtml = await HtmlAsync(await viewer.GetAsync($"/incidents/{on.Id}"));

        Assert.Contains("id=\"lists-turned-off\"", offHtml, StringComparison.Ordinal);
        Assert.Contains($"<strong>{System.Net.WebUtility.HtmlEncode(offList)}</strong> is turned off", offHtml, StringComparison.Ordinal);
        Assert.Contains("cannot resolve itself", offHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"lists-turned-off\"", onHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_longer_than_any_provider_or_assignee_lists_nothing_and_says_so()
    {
        using var viewer = await CookieSession.SignInAsync(fixture.App, IncidentPageFixture.Viewer, TestUsers.Password);

        var response = await viewer.GetAsync($"/incidents?provider={new string('x', 3000)}&assignee={new string('y', 400)}");
        var html = await HtmlAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("id=\"no-incidents\"", html, StringComparison.Ordinal);
    }
}
