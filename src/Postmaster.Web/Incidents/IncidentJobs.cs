using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;
using Quartz;

namespace Postmaster.Web.Incidents;

/// <summary>Applies what the immediate runs missed: a crash between a commit and its engine pass, another instance's work.</summary>
[DisallowConcurrentExecution]
public sealed class IncidentCatchUpJob(IncidentEngine engine) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await engine.TryCatchUpAsync(cancellationToken);
}

/// <summary>
/// Nightly: removes listing and episode events and timeline lines older than
/// <c>Postmaster:Retention:EventDays</c>. Incidents themselves stay. Unprocessed events stay too:
/// the engine has not told anyone about them yet.
/// </summary>
[DisallowConcurrentExecution]
public sealed class IncidentRetentionJob(PostmasterDbContext db, IOptions<IncidentRetentionOptions> options, TimeProvider time, ILogger<IncidentRetentionJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await PruneAsync(cancellationToken);

    /// <summary>Removes what is past retention; returns how many rows went.</summary>
    public async Task<int> PruneAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.EventDays);
        var listingEvents = await db.ListingEvents.Where(e => e.At < cutoff && e.ProcessedAt != null).ExecuteDeleteAsync(ct);
        var episodeEvents = await db.EpisodeEvents.Where(e => e.At < cutoff && e.ProcessedAt != null).ExecuteDeleteAsync(ct);
        var timeline = await db.IncidentTimeline.Where(t => t.At < cutoff).ExecuteDeleteAsync(ct);
        log.LogInformation(
            "Retention: removed {ListingEvents} listing events, {EpisodeEvents} episode events and {Timeline} timeline lines older than {Days} days",
            listingEvents, episodeEvents, timeline, options.Value.EventDays);
        return listingEvents + episodeEvents + timeline;
    }
}

/// <summary>Binds the events part of <c>Postmaster:Retention</c>.</summary>
public sealed class IncidentRetentionOptions
{
    public const string Section = "Postmaster:Retention";

    public int EventDays { get; set; } = 400;
}
