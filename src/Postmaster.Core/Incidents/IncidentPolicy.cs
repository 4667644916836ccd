namespace Postmaster.Core.Incidents;

/// <summary>
/// The knobs of the incident rules (<c>Postmaster:Incidents:*</c>): how many consecutive clean
/// checks resolve an incident, and for how long the same block reopens it instead of opening a
/// new one.
/// </summary>
public sealed record IncidentPolicy(int CleanChecksToResolve, TimeSpan ReopenWithin)
{
    public static IncidentPolicy Default { get; } = new(2, TimeSpan.FromDays(30));
}
