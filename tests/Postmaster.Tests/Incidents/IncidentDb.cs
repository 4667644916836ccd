using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Incidents;

/// <summary>Reads incidents straight from the app's database, after letting the engine catch up.</summary>
public static class IncidentDb
{
    /// <summary>Applies whatever is pending (the engine also runs after each chunk; this makes the moment certain).</summary>
    public static async Task CatchUpAsync(PostmasterApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IncidentEngine>().CatchUpAsync(TestContext.Current.CancellationToken);
    }

    public static async Task<List<Incident>> IncidentsAsync(PostmasterApp app)
    {
        await CatchUpAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        return await db.Incidents.AsNoTracking().OrderBy(i => i.Id).ToListAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Every incident's timeline lines, oldest first (read without catching up: call after <see cref="IncidentsAsync"/>).</summary>
    public static Task<List<IncidentTimelineEntry>> TimelineAsync(PostmasterApp app) =>
        QueryAsync(app, db => db.IncidentTimeline.AsNoTracking().OrderBy(t => t.Id));

    public static Task<List<IncidentSample>> SamplesAsync(PostmasterApp app) =>
        QueryAsync(app, db => db.IncidentSamples.AsNoTracking().OrderBy(s => s.Id));

    public static Task<List<IncidentValue>> ValuesAsync(PostmasterApp app) =>
        QueryAsync(app, db => db.IncidentValues.AsNoTracking().OrderBy(v => v.Id));

    public static async Task<List<T>> QueryAsync<T>(PostmasterApp app, Func<PostmasterDbContext, IQueryable<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        return await query(db).ToListAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>What the database holds about incidents at one moment: the incidents with their timelines, samples and values.</summary>
public sealed record IncidentSnapshot(List<Incident> Incidents, List<IncidentTimelineEntry> Timeline, List<IncidentSample> Samples, List<IncidentValue> Values)
{
    public static async Task<IncidentSnapshot> TakeAsync(PostmasterApp app) => new(
        await IncidentDb.IncidentsAsync(app),
        await IncidentDb.TimelineAsync(app),
        await IncidentDb.SamplesAsync(app),
        await IncidentDb.ValuesAsync(app));

    /// <summary>The one incident of this provider and group value (failing when there are none or several).</summary>
    public Incident Of(string provider, string groupValue) =>
        Assert.Single(Incidents, i => i.Provider == provider && i.GroupValue == groupValue);

    public List<IncidentTimelineEntry> TimelineOf(Incident incident) => [.. Timeline.Where(t => t.IncidentId == incident.Id)];

    public List<string> KindsOf(Incident incident) => [.. TimelineOf(incident).Select(t => t.Kind)];

    public List<IncidentSample> SamplesOf(Incident incident) => [.. Samples.Where(s => s.IncidentId == incident.Id)];

    public List<IncidentValue> ValuesOf(Incident incident) => [.. Values.Where(v => v.IncidentId == incident.Id)];

    /// <summary>Provider and group of every incident, sorted: what a person sees listed.</summary>
    public List<string> Names() => [.. Incidents.Select(i => $"{i.Provider} {i.GroupValue}").Order(StringComparer.Ordinal)];
}
