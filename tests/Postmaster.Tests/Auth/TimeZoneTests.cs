using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Auth;

/// <summary>
/// PRODUCT.md: times are stored and served in UTC; pages show them in the viewer's time zone (a
/// user setting, default Postmaster:TimeZone). One person's choice changes their pages only.
/// </summary>
public sealed class TimeZoneTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    private PostmasterApp App => fixture.App;

    [Fact]
    public async Task A_person_who_chooses_a_zone_sees_the_incident_times_in_it_and_others_still_see_utc()
    {
        var id = await IncidentOpenedAtAsync(new DateTimeOffset(2026, 7, 1, 10, 15, 0, TimeSpan.Zero), "tz-choice");
        await TestUsers.CreateAsync(App, "berlin@postmaster.test", Roles.Viewer);
        await TestUsers.CreateAsync(App, "utc@postmaster.test", Roles.Viewer);
        using var berlin = await CookieSession.SignInAsync(App, "berlin@postmaster.test", TestUsers.Password);
        using var other = await CookieSession.SignInAsync(App, "utc@postmaster.test", TestUsers.Password);
        var before = await BodyAsync(berlin, $"/incidents/{id}");

        var saved = await berlin.PostFormAsync("/Account/TimeZone", new() { ["zone"] = "Europe/Berlin" });
        var after = await BodyAsync(berlin, $"/incidents/{id}");
        var others = await BodyAsync(other, $"/incidents/{id}");

        Assert.Contains("2026-07-01 10:15 UTC", before, StringComparison.Ordinal);
        Assert.Contains("Times are now shown in Europe/Berlin.", await saved.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("2026-07-01 12:15 Europe/Berlin", after, StringComparison.Ordinal); // summer time: UTC+2
        Assert.Contains(">Europe/Berlin</a>", after, StringComparison.Ordinal); // the header says which zone the page uses
        Assert.Contains("2026-07-01 10:15 UTC", others, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zone_nobody_knows_is_refused_with_the_reason_and_the_old_choice_kept()
    {
        await TestUsers.CreateAsync(App, "mars@postmaster.test", Roles.Viewer);
        using var session = await CookieSession.SignInAsync(App, "mars@postmaster.test", TestUsers.Password);
        await session.PostFormAsync("/Account/TimeZone", new() { ["zone"] = "Asia/Tokyo" });

        var refused = await session.PostFormAsync("/Account/TimeZone", new() { ["zone"] = "Mars/<b>Olympus</b>" });
        var body = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("is not a time zone this installation knows", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Olympus</b>", body, StringComparison.Ordinal); // the typed text is encoded
        Assert.Contains("<option value=\"Asia/Tokyo\" selected=\"selected\">", body, StringComparison.Ordinal);
        Assert.Contains(">Asia/Tokyo</a>", await BodyAsync(session, "/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Going_back_to_the_installation_zone_shows_utc_again()
    {
        var id = await IncidentOpenedAtAsync(new DateTimeOffset(2026, 1, 15, 23, 30, 0, TimeSpan.Zero), "tz-back");
        await TestUsers.CreateAsync(App, "back@postmaster.test", Roles.Viewer);
        using var session = await CookieSession.SignInAsync(App, "back@postmaster.test", TestUsers.Password);
        await session.PostFormAsync("/Account/TimeZone", new() { ["zone"] = "America/New_York" });
        var chosen = await BodyAsync(session, $"/incidents/{id}");

        await session.PostFormAsync("/Account/TimeZone", new() { ["zone"] = "" });
        var back = await BodyAsync(session, $"/incidents/{id}");

        Assert.Contains("2026-01-15 18:30 America/New_York", chosen, StringComparison.Ordinal); // winter: UTC-5
        Assert.Contains("2026-01-15 23:30 UTC", back, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_signals_day_table_counts_each_delivery_on_the_viewers_own_day()
    {
        // 23:00 UTC yesterday is already today in Kiritimati (UTC+14).
        var todayUtc = DateTime.UtcNow.Date;
        var at = new DateTimeOffset(todayUtc.AddHours(-1), TimeSpan.Zero);
        using var api = App.Api();
        var ingested = await api.PostAsJsonAsync("/api/signals", new[]
        {
            new { status = "delivered", time = at, sourceIp = "192.0.2.77", recipient = "reader@t-online.de", recipientDomain = "t-online.de", mx = "mx00.t-online.de", smtpCode = 250, response = "250 2.0.0 ok" },
        }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, ingested.StatusCode);
        await TestUsers.CreateAsync(App, "kiritimati@postmaster.test", Roles.Viewer);
        using var session = await CookieSession.SignInAsync(App, "kiritimati@postmaster.test", TestUsers.Password);

        var inUtc = DayOfTheCount(await BodyAsync(session, "/Signals"));
        await session.PostFormAsync("/Account/TimeZone", new() { ["zone"] = "Pacific/Kiritimati" });
        var inKiritimati = DayOfTheCount(await BodyAsync(session, "/Signals"));

        Assert.Equal(todayUtc.AddDays(-1).ToString("MMM d", CultureInfo.InvariantCulture), inUtc);
        Assert.Equal(todayUtc.ToString("MMM d", CultureInfo.InvariantCulture), inKiritimati);
    }

    /// <summary>The column label ("Dec 6") of the one count in the by-day table's only row.</summary>
    private static string DayOfTheCount(string html)
    {
        var table = Regex.Match(html, "<table id=\"by-day\">(.*?)</table>", RegexOptions.Singleline).Groups[1].Value;
        var days = Regex.Matches(table, "<th>([A-Z][a-z]{2} \\d{1,2})</th>").Select(m => m.Groups[1].Value).ToList();
        var row = Regex.Match(table, "<tbody>.*?<tr>(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;
        var counts = Regex.Matches(row, "<td>([^<]*)</td>").Select(m => m.Groups[1].Value).Skip(2).ToList();
        Assert.Equal(days.Count, counts.Count);
        return days[Assert.Single(Enumerable.Range(0, counts.Count), i => counts[i].Length > 0)];
    }

    private async Task<long> IncidentOpenedAtAsync(DateTimeOffset openedAt, string provider)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var incident = new Incident
        {
            Provider = provider,
            GroupKey = "ip:192.0.2.210",
            GroupValue = "192.0.2.210",
            OpenedAt = openedAt,
            LastActivityAt = openedAt,
        };
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return incident.Id;
    }

    private static async Task<string> BodyAsync(CookieSession session, string path)
    {
        var response = await session.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}
