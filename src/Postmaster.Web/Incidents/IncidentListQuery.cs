using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Incidents;

/// <summary>
/// The filters of <c>GET /api/incidents</c>, taken as text so that a bad value gets a problem that
/// names the values it takes, rather than the framework's bare 400.
/// </summary>
public sealed class IncidentListQuery
{
    /// <summary>true: open, requested and awaiting-reply; false: resolved and wont-fix; left out: every incident.</summary>
    [FromQuery(Name = "active")]
    public string? Active { get; init; }

    /// <summary>One state or several, comma-separated: open, requested, awaiting-reply, resolved, wont-fix.</summary>
    [FromQuery(Name = "state")]
    public string? State { get; init; }

    /// <summary>A provider's slug (spamhaus, microsoft, ...).</summary>
    [FromQuery(Name = "provider")]
    public string? Provider { get; init; }

    /// <summary>critical, high, medium or low.</summary>
    [FromQuery(Name = "severity")]
    public string? Severity { get; init; }

    /// <summary>A user's email, in any case.</summary>
    [FromQuery(Name = "assignee")]
    public string? Assignee { get; init; }

    public bool TryRead(out IncidentFilter filter, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        filter = new IncidentFilter();
        problem = null;
        var active = Active?.Trim().ToLowerInvariant();
        if (active is not (null or "" or "true" or "false"))
        {
            problem = Problems.BadRequest("Invalid active",
                $"active must be true (open, requested and awaiting-reply) or false (resolved and wont-fix), not '{Shorten(Active!)}'; leave it out for every incident.",
                Allowed("true, false"));
            return false;
        }

        var (states, bad) = IncidentNames.ParseStates(State);
        if (bad is not null)
        {
            problem = Problems.BadRequest("Invalid state",
                $"state '{Shorten(bad)}' is not one of {IncidentNames.StateNames}; give one state or several, comma-separated (state=open,requested).",
                Allowed(IncidentNames.StateNames));
            return false;
        }

        var severity = IncidentNames.ParseSeverity(Severity);
        if (!string.IsNullOrWhiteSpace(Severity) && severity is null)
        {
            problem = Problems.BadRequest("Invalid severity", $"severity '{Shorten(Severity)}' is not one of {IncidentNames.SeverityNames}.",
                Allowed(IncidentNames.SeverityNames));
            return false;
        }

        filter = new IncidentFilter(
            Active: active == "true",
            Closed: active == "false",
            States: states,
            Provider: string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim(),
            Severity: severity,
            Assignee: string.IsNullOrWhiteSpace(Assignee) ? null : Assignee.Trim());
        return true;
    }

    /// <summary>The values the parameter takes, as a list a tool can read.</summary>
    private static Dictionary<string, object?> Allowed(string names) => new() { ["allowed"] = names.Split(", ") };

    private static string Shorten(string text) => ColumnText.Fit(text, 40);
}
