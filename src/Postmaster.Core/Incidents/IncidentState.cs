namespace Postmaster.Core.Incidents;

/// <summary>
/// PRODUCT.md: <c>open → requested → awaiting-reply → resolved</c>, or <c>wont-fix</c>. The first
/// three are "active": a block someone still has to deal with.
/// </summary>
public enum IncidentState
{
    Open,
    Requested,
    AwaitingReply,
    Resolved,
    WontFix,
}

public enum IncidentSeverity
{
    Low,
    Medium,
    High,
    Critical,
}

public static class IncidentStates
{
    public static bool IsActive(this IncidentState state) => state is IncidentState.Open or IncidentState.Requested or IncidentState.AwaitingReply;
}
