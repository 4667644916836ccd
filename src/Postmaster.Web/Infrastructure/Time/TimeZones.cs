using System.Text.RegularExpressions;

namespace Postmaster.Web.Infrastructure.Time;

/// <summary>
/// Display time zones by their IANA name (Europe/Berlin, America/New_York, UTC), as the machine's
/// time zone database knows them. A name comes from configuration or from a person's choice, so
/// it is looked up, never trusted.
/// </summary>
public static partial class TimeZones
{
    /// <summary>Longer than any IANA name; anything longer is no time zone.</summary>
    public const int MaxNameLength = 64;

    public static bool TryFind(string? name, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        var trimmed = name?.Trim();
        // IANA names are words of letters, digits, _ + - between single slashes: a path ("/etc/localtime",
        // "../x") never reaches the runtime's file lookup.
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNameLength || !NameShape().IsMatch(trimmed))
        {
            return false;
        }

        if (trimmed.Equals("UTC", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(trimmed);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")]
    private static partial Regex NameShape();

    /// <summary>A zone's name as pages print it beside times: "UTC", "Europe/Berlin".</summary>
    public static string NameOf(TimeZoneInfo zone) => zone == TimeZoneInfo.Utc ? "UTC" : zone.Id;

    /// <summary>Every zone a person may choose, by name: UTC first, then the IANA names in order.</summary>
    public static IReadOnlyList<string> Names { get; } = BuildNames();

    private static List<string> BuildNames() =>
        ["UTC", .. TimeZoneInfo.GetSystemTimeZones()
            .Select(z => z.Id)
            .Where(id => id.Contains('/', StringComparison.Ordinal) && !id.StartsWith("Etc/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
}
