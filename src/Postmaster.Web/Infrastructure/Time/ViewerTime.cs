using System.Globalization;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Infrastructure.Time;

/// <summary>
/// Times as the person viewing a page reads them: stored and served in UTC, shown in the viewer's
/// time zone (their own choice, carried in their sign-in as a claim, else the installation's).
/// </summary>
public sealed class ViewerTime(IHttpContextAccessor http, IOptions<DisplayOptions> display)
{
    public const string Minutes = "yyyy-MM-dd HH:mm";
    public const string Seconds = "yyyy-MM-dd HH:mm:ss";
    public const string Date = "yyyy-MM-dd";

    private TimeZoneInfo? zone;

    /// <summary>The viewer's zone: a chosen one that this machine no longer knows falls back to the installation's.</summary>
    public TimeZoneInfo Zone => zone ??=
        TimeZones.TryFind(http.HttpContext?.User.FindFirst(AuthClaims.TimeZone)?.Value, out var chosen) ? chosen : display.Value.Zone;

    /// <summary>The zone's name as pages print it beside times: "UTC", "Europe/Berlin".</summary>
    public string Name => TimeZones.NameOf(Zone);

    public string Format(DateTimeOffset at, string format = Minutes) =>
        TimeZoneInfo.ConvertTime(at, Zone).ToString(format, CultureInfo.InvariantCulture);

    public string? Format(DateTimeOffset? at, string format = Minutes) => at is { } value ? Format(value, format) : null;

    /// <summary>
    /// A wall-clock time the viewer typed (a datetime-local field) as UTC; null for a time that does
    /// not exist in their zone (the hour skipped when clocks go forward). An hour that happens twice
    /// is read as the first one.
    /// </summary>
    public DateTimeOffset? FromViewer(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(unspecified))
        {
            return null;
        }

        var offset = Zone.IsAmbiguousTime(unspecified) ? Zone.GetAmbiguousTimeOffsets(unspecified).Max() : Zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset).ToUniversalTime();
    }
}
