using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Time;

namespace Postmaster.Tests.Ops;

/// <summary>Times shown in the viewer's zone, and wall-clock times they type read back in it.</summary>
public sealed class ViewerTimeTests
{
    private static ViewerTime For(string? chosen, string? installation = null)
    {
        var identity = new ClaimsIdentity("test");
        if (chosen is not null)
        {
            identity.AddClaim(new Claim(AuthClaims.TimeZone, chosen));
        }

        var http = new HttpContextAccessor { HttpContext = new DefaultHttpContext { User = new ClaimsPrincipal(identity) } };
        return new ViewerTime(http, Options.Create(new DisplayOptions { TimeZone = installation }));
    }

    private static readonly DateTimeOffset Winter = new(2026, 1, 15, 23, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, null, "2026-01-15 23:30", "UTC")]
    [InlineData(null, "Asia/Kolkata", "2026-01-16 05:00", "Asia/Kolkata")]
    [InlineData("America/New_York", "Asia/Kolkata", "2026-01-15 18:30", "America/New_York")]
    [InlineData("No/Such_Zone", "Asia/Kolkata", "2026-01-16 05:00", "Asia/Kolkata")] // a choice this machine no longer knows
    public void Times_are_shown_in_the_persons_zone_else_the_installations(string? chosen, string? installation, string shown, string name)
    {
        var times = For(chosen, installation);

        Assert.Equal(shown, times.Format(Winter));
        Assert.Equal(name, times.Name);
    }

    [Fact]
    public void A_typed_time_is_read_in_the_viewers_zone()
    {
        var times = For("Europe/Berlin");

        Assert.Equal(new DateTimeOffset(2026, 7, 1, 10, 15, 0, TimeSpan.Zero), times.FromViewer(new DateTime(2026, 7, 1, 12, 15, 0)));
        Assert.Null(times.FromViewer(new DateTime(2026, 3, 29, 2, 30, 0))); // clocks skip 02:00–03:00
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), times.FromViewer(new DateTime(2026, 10, 25, 2, 30, 0))); // twice: the first
    }

    [Theory]
    [InlineData("Mars/Olympus")]
    [InlineData("Europe/Berlin; DROP TABLE")]
    [InlineData("../../../etc/passwd")]
    [InlineData("/etc/localtime")]
    public void An_unknown_installation_zone_stops_start_up_naming_the_key(string zone)
    {
        var result = new DisplayOptions.Validator().Validate(null, new DisplayOptions { TimeZone = zone });

        Assert.True(result.Failed);
        Assert.Contains("Postmaster:TimeZone", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("UTC")]
    [InlineData("Europe/Berlin")]
    public void Known_zones_and_none_are_accepted(string? zone) =>
        Assert.True(new DisplayOptions.Validator().Validate(null, new DisplayOptions { TimeZone = zone }).Succeeded);
}
