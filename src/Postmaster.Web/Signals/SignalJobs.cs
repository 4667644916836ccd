using Quartz;

namespace Postmaster.Web.Signals;

/// <summary>Ends block episodes whose rejections have stopped.</summary>
[DisallowConcurrentExecution]
public sealed class EpisodeReviewJob(EpisodeTracker episodes, Incidents.IncidentTrigger incidents) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (await episodes.EndQuietEpisodesAsync(cancellationToken) > 0)
        {
            await incidents.RunAsync(cancellationToken);
        }
    }
}

/// <summary>Reads what the configured MTA logs gained since the last poll.</summary>
[DisallowConcurrentExecution]
public sealed class LogFollowJob(LogFollower follower) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await follower.FollowAllAsync(cancellationToken);
}

/// <summary>Reads new messages in the bounce mailbox.</summary>
[DisallowConcurrentExecution]
public sealed class ImapPollJob(ImapPoller poller, ILogger<ImapPollJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await poller.PollAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The mailbox being unreachable is an ops problem to log, not a reason to stop polling.
            log.LogWarning(e, "Bounce mailbox poll failed");
        }
    }
}
