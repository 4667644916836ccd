using Postmaster.Core.Incidents;

namespace Postmaster.Web.Incidents;

/// <summary>States and severities as the API and URLs spell them (PRODUCT.md).</summary>
public static class IncidentNames
{
    public const string StateNames = "open, requested, awaiting-reply, resolved, wont-fix";
    public const string SeverityNames = "critical, high, medium, low";

    public static string ToApi(this IncidentState state) => state switch
    {
        IncidentState.Open => "open",
        IncidentState.Requested => "requested",
        IncidentState.AwaitingReply => "awaiting-reply",
        IncidentState.Resolved => "resolved",
        _ => "wont-fix",
    };

    public static string ToApi(this IncidentSeverity severity) => severity.ToString().ToLowerInvariant();

    public static IncidentState? ParseState(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "open" => IncidentState.Open,
        "requested" => IncidentState.Requested,
        "awaiting-reply" => IncidentState.AwaitingReply,
        "resolved" => IncidentState.Resolved,
        "wont-fix" => IncidentState.WontFix,
        _ => null,
    };

    public static IncidentSeverity? ParseSeverity(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "critical" => IncidentSeverity.Critical,
        "high" => IncidentSeverity.High,
        "medium" => IncidentSeverity.Medium,
        "low" => IncidentSeverity.Low,
        _ => null,
    };

    /// <summary>A comma-separated list of states (<c>open,requested</c>); null with the bad name when one is not a state.</summary>
    public static (IReadOnlyList<IncidentState>? States, string? Bad) ParseStates(string? text)
    {
        var states = new List<IncidentState>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ParseState(part) is not { } state)
            {
                return (null, part);
            }

            states.Add(state);
        }

        return (states.Distinct().ToList(), null);
    }
}
