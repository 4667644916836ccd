using Postmaster.Tests.Auth;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Browser;

/// <summary>
/// The incident pages after a real sweep against rbldnsd (SweepScenario): ZEN lists two addresses
/// of the /28 and the IPv6 address, DBL spammy.example, SURBL phishy.example.
/// </summary>
public sealed class IncidentPagesTests : BrowserTest
{
    private const string Responder = "responder@postmaster.test";

    private RbldnsdServer? _dns;

    protected override string? UnavailableReason => Chromium.UnavailableReason ?? RbldnsdServer.UnavailableReason;

    protected override async Task<PostmasterApp> StartAppAsync(string dataDirectory)
    {
        _dns = await RbldnsdServer.StartAsync(SweepScenario.Zones());
        var app = PostmasterApp.Sqlite(dataDirectory, kestrel: true, settings: SweepScenario.Settings(_dns.EndPoint));
        _ = app.ServerAddress;
        using var api = app.Api();
        await SweepScenario.EnableOnlyAsync(app, SweepScenario.Lists);
        await SweepScenario.AddAssetsAsync(api, SweepScenario.Assets);
        await SweepScenario.SweepAsync(api);
        await IncidentDb.CatchUpAsync(app);
        await TestUsers.CreateAsync(app, Responder, Roles.Responder);
        return app;
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
    }

    private async Task<long> IncidentIdAsync(string groupValue) =>
        (await IncidentDb.IncidentsAsync(App!)).Single(i => i.GroupValue == groupValue).Id;

    [Fact]
    public async Task The_incident_list_shows_the_active_incidents_of_a_sweep()
    {
        var page = await SignInAsync("/incidents");

        var rows = await page.Locator("#incidents tbody tr").AllInnerTextsAsync();
        Assert.Equal(4, rows.Count);
        Assert.Contains(rows, r => r.Contains("spamhaus", StringComparison.Ordinal) && r.Contains("203.0.113.0/28", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("surbl", StringComparison.Ordinal) && r.Contains("phishy.example", StringComparison.Ordinal));
        Assert.Contains("4", await page.InnerTextAsync("#state-tabs a[data-state=active]"), StringComparison.Ordinal);
        Assert.Contains("All 4 incidents", await page.InnerTextAsync("#incidents-pager"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_goes_into_the_url_and_narrows_the_list()
    {
        var page = await SignInAsync("/incidents");

        await page.SelectOptionAsync("#provider", "surbl");
        await page.ClickAsync("#incident-filters button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("provider=surbl", StringComparison.Ordinal));

        var rows = await page.Locator("#incidents tbody tr").AllInnerTextsAsync();
        Assert.Single(rows);
        Assert.Contains("phishy.example", rows[0], StringComparison.Ordinal);
        Assert.Equal("surbl", await page.InputValueAsync("#provider"));
    }

    [Fact]
    public async Task A_state_tab_keeps_the_other_filters()
    {
        var page = await SignInAsync("/incidents?provider=spamhaus");

        await page.ClickAsync("#state-tabs a[data-state=resolved]");
        await page.WaitForURLAsync(url => url.Contains("state=resolved", StringComparison.Ordinal) && url.Contains("provider=spamhaus", StringComparison.Ordinal));

        Assert.Equal(0, await page.Locator("#incidents tbody tr").CountAsync());
        Assert.Contains("No incidents match", await page.InnerTextAsync("#no-incidents"), StringComparison.Ordinal);
        Assert.Contains("3", await page.InnerTextAsync("#state-tabs a[data-state=open]"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_incident_page_shows_what_is_blocked_its_values_evidence_and_timeline()
    {
        var page = await SignInAsync("/incidents");

        await page.ClickAsync("#incidents a:has-text('203.0.113.0/28')");
        await page.WaitForURLAsync(url => url.Contains("/incidents/", StringComparison.Ordinal));

        Assert.Contains("spamhaus blocks 203.0.113.0/28", await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        Assert.Equal("open", await page.InnerTextAsync("#incident-state"));
        var affected = await page.InnerTextAsync("#affected");
        Assert.Contains("203.0.113.5", affected, StringComparison.Ordinal);
        Assert.Contains("203.0.113.9", affected, StringComparison.Ordinal);
        var answers = await page.InnerTextAsync("#listing-answers");
        Assert.Contains("zen.spamhaus.org", answers, StringComparison.Ordinal);
        Assert.Contains("127.0.0.2", answers, StringComparison.Ordinal);
        Assert.Contains("SBL listing", answers, StringComparison.Ordinal);
        Assert.Contains("opened", await page.InnerTextAsync("#timeline"), StringComparison.Ordinal);
        Assert.Contains("check.spamhaus.org", await page.InnerTextAsync("#next-steps"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_responder_changes_state_assignee_and_note_and_the_timeline_names_them()
    {
        var id = await IncidentIdAsync("phishy.example");
        var page = await SignInAsync($"/incidents/{id}", Responder, TestUsers.Password);

        await page.SelectOptionAsync("#state", "requested");
        await page.SelectOptionAsync("#assignee", Responder);
        await page.FillAsync("#note", "Asked SURBL for removal.");
        await page.ClickAsync("#change-form button[type=submit]");
        await page.Locator("#saved").WaitForAsync();

        Assert.Equal("requested", await page.InnerTextAsync("#incident-state"));
        Assert.Equal(Responder, await page.InnerTextAsync("#incident-assignee"));
        var timeline = await page.Locator("#timeline tbody tr").AllInnerTextsAsync();
        Assert.Contains(timeline, l => l.Contains("State open → requested.", StringComparison.Ordinal) && l.Contains(Responder, StringComparison.Ordinal));
        Assert.Contains(timeline, l => l.Contains($"Assigned to {Responder}.", StringComparison.Ordinal));
        Assert.Contains(timeline, l => l.Contains("Asked SURBL for removal.", StringComparison.Ordinal) && l.Contains("note", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_note_with_markup_is_shown_as_text()
    {
        var id = await IncidentIdAsync("spammy.example");
        var page = await SignInAsync($"/incidents/{id}");
        var dialogs = 0;
        page.Dialog += async (_, dialog) =>
        {
            dialogs++;
            await dialog.DismissAsync();
        };

        await page.FillAsync("#note", "<script>alert(1)</script>");
        await page.ClickAsync("#change-form button[type=submit]");
        await page.Locator("#saved").WaitForAsync();

        Assert.Contains("<script>alert(1)</script>", await page.InnerTextAsync("#timeline"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#timeline script").CountAsync());
        Assert.Equal(0, dialogs);
    }
}
