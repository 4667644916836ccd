using Microsoft.Extensions.Options;

namespace Postmaster.Web.Infrastructure.Time;

/// <summary>
/// <c>Postmaster:TimeZone</c>: the zone pages show times in for people who have not chosen their
/// own (an IANA name), UTC when unset. Checked at start-up: a name this machine does not know
/// stops the start with a message that says so, rather than showing times in a zone nobody meant.
/// </summary>
public sealed class DisplayOptions
{
    public const string Section = "Postmaster";

    public const string Key = "Postmaster:TimeZone";

    public string? TimeZone { get; set; }

    private TimeZoneInfo? _zone;

    /// <summary>The zone, looked up once (every page of a person without a choice of their own asks).</summary>
    public TimeZoneInfo Zone => _zone ??= TimeZones.TryFind(TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    public sealed class Validator : IValidateOptions<DisplayOptions>
    {
        public ValidateOptionsResult Validate(string? name, DisplayOptions options) =>
            string.IsNullOrWhiteSpace(options.TimeZone) || TimeZones.TryFind(options.TimeZone, out _)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"{Key} '{options.TimeZone.Trim()}' is not a time zone this machine knows: give an IANA name such as Europe/Berlin or "
                    + "America/New_York, or UTC (the names come from the system's time zone database, the tzdata package).");
    }
}
