using System.Net;

namespace Postmaster.Web.Incidents;

/// <summary>Rows for the shared incident table (Shared/_Incidents.cshtml): the list, the dashboard and an asset's page.</summary>
public sealed record IncidentTable(string Id, IReadOnlyList<Incident> Rows)
{
    /// <summary>A source IP or a domain outside the inventory can be added; an unknown source cannot.</summary>
    public static bool CanAddToInventory(Incident incident) =>
        !incident.InInventory && incident.GroupKey != "source:unknown" && incident.GroupValue.Length > 0
        && (incident.GroupKey.StartsWith("ip:", StringComparison.Ordinal) ? IPAddress.TryParse(incident.GroupValue, out _) : incident.GroupKey.StartsWith("domain:", StringComparison.Ordinal));
}
