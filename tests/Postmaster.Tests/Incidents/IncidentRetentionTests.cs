using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Incidents;

/// <summary>The nightly clean-up keeps <c>Postmaster:Retention:EventDays</c> of events and timelines; incidents stay.</summary>
public sealed class IncidentRetentionTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task Old_events_and_timeline_lines_go_and_the_incident_stays()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var incident = new Incident { Provider = "retention-test", GroupKey = "ip:192.0.2.200", GroupValue = "192.0.2.200", OpenedAt = now.AddDays(-500), LastActivityAt = now };
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
        db.IncidentTimeline.Add(new IncidentTimelineEntry { IncidentId = incident.Id, At = now.AddDays(-401), Kind = "opened", Detail = "old line" });
        db.IncidentTimeline.Add(new IncidentTimelineEntry { IncidentId = incident.Id, At = now.AddDays(-10), Kind = "note", Detail = "recent line" });
        db.ListingEvents.Add(new ListingEvent { Value = "192.0.2.200", Kind = ListingChange.Listed, At = now.AddDays(-401), ProcessedAt = now.AddDays(-401) });
        db.ListingEvents.Add(new ListingEvent { Value = "192.0.2.201", Kind = ListingChange.Listed, At = now.AddDays(-399), ProcessedAt = now.AddDays(-399) });
        await db.SaveChangesAsync(ct);

        var removed = await ActivatorUtilities.CreateInstance<IncidentRetentionJob>(scope.ServiceProvider).PruneAsync(ct);

        Assert.Equal(2, removed);
        Assert.Equal(["recent line"], await db.IncidentTimeline.Where(t => t.IncidentId == incident.Id).Select(t => t.Detail).ToListAsync(ct));
        Assert.Equal(["192.0.2.201"], await db.ListingEvents.Where(e => e.Value.StartsWith("192.0.2.20")).Select(e => e.Value).ToListAsync(ct));
        Assert.True(await db.Incidents.AnyAsync(i => i.Id == incident.Id, ct));
    }
}
