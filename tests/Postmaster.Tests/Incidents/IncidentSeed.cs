using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// Incidents written straight into the app's database, shaped as the engine writes them, for pages
/// that show what no sweep here produces (rejection samples, many incidents, old ones).
/// </summary>
public static class IncidentSeed
{
    /// <summary>An active incident about one source IP outside the inventory, or about an asset when given.</summary>
    public static Incident Active(string provider, string value, IncidentSeverity severity, DateTimeOffset at, long? assetId = null) => new()
    {
        Provider = provider,
        GroupKey = assetId is { } id ? $"asset:{id}" : $"ip:{value}",
        AssetId = assetId,
        GroupValue = value,
        InInventory = assetId is not null,
        State = IncidentState.Open,
        Severity = severity,
        OpenedAt = at,
        LastActivityAt = at,
        ActiveMarker = 1,
    };

    public static async Task<Incident> AddAsync(
        PostmasterApp app,
        Incident incident,
        IEnumerable<IncidentValue>? values = null,
        IEnumerable<IncidentSample>? samples = null,
        IEnumerable<IncidentTimelineEntry>? timeline = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var valueRows = (values ?? []).ToList();
        incident.AffectedCount = valueRows.Count;
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        foreach (var v in valueRows)
        {
            v.IncidentId = incident.Id;
        }

        var sampleRows = (samples ?? []).ToList();
        foreach (var s in sampleRows)
        {
            s.IncidentId = incident.Id;
        }

        var lines = (timeline ?? [new IncidentTimelineEntry { At = incident.OpenedAt, Kind = "opened", Detail = $"Opened: {incident.Provider} blocks {incident.GroupValue}." }]).ToList();
        foreach (var t in lines)
        {
            t.IncidentId = incident.Id;
        }

        db.IncidentValues.AddRange(valueRows);
        db.IncidentSamples.AddRange(sampleRows);
        db.IncidentTimeline.AddRange(lines);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return incident;
    }

    /// <summary>A rejection as the engine copies it into an incident.</summary>
    public static IncidentSample Rejection(string receiver, string sourceIp, string mx, string response, DateTimeOffset at) => new()
    {
        At = at,
        Receiver = receiver,
        SourceIp = sourceIp,
        Mx = mx,
        Kind = "ip-reputation",
        SmtpCode = 550,
        EnhancedCode = "5.7.1",
        Response = response,
    };

    public static IncidentValue Refused(string receiver, string sourceIp, DateTimeOffset at) => new()
    {
        Value = sourceIp,
        Source = receiver,
        Basis = IncidentBasis.Rejection,
        Active = true,
        Categories = "ip-reputation",
        FirstSeen = at,
        LastSeen = at,
    };
}
