using System.ComponentModel.DataAnnotations;
using Postmaster.Core.Incidents;

namespace Postmaster.Web.Incidents;

/// <summary><c>Postmaster:Incidents</c>: when an incident resolves itself, and when the same block reopens it.</summary>
public sealed class IncidentOptions
{
    public const string Section = "Postmaster:Incidents";

    /// <summary>Consecutive clean checks of every affected value before an incident resolves itself.</summary>
    [Range(1, 100)]
    public int CleanChecksToResolve { get; set; } = 2;

    /// <summary>The same block returning within this many days reopens the incident instead of opening a new one.</summary>
    [Range(0, 3650)]
    public int ReopenWithinDays { get; set; } = 30;

    /// <summary>How often the catch-up job applies events the immediate runs missed (a crash, another instance).</summary>
    [Range(5, 3600)]
    public int CatchUpSeconds { get; set; } = 30;

    public IncidentPolicy Policy => new(CleanChecksToResolve, TimeSpan.FromDays(ReopenWithinDays));
}
