using Postmaster.Web.Infrastructure.Database;
using Quartz;

namespace Postmaster.Web.Blocklists;

public static class SweepJobs
{
    public const string Group = "sweeps";
    public const string RunIdKey = "runId";
    public const string ChunkKey = "chunk";

    // Jobs that request recovery: if an instance dies mid-chunk, the cluster runs it again (ClusterFailoverTests).
    public static IJobDetail StartJob(long runId) => JobBuilder.Create<SweepStartJob>()
        .WithIdentity($"sweep-{runId}-start", Group)
        .UsingJobData(RunIdKey, runId)
        .RequestRecovery()
        .Build();

    public static IJobDetail ChunkJob(long runId, int chunk) => JobBuilder.Create<SweepChunkJob>()
        .WithIdentity($"sweep-{runId}-chunk-{chunk}", Group)
        .UsingJobData(RunIdKey, runId)
        .UsingJobData(ChunkKey, chunk)
        .RequestRecovery()
        .Build();
}

/// <summary>Checks list health, fixes the plan and fans the chunks out.</summary>
public sealed class SweepStartJob(SweepPlanner planner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await planner.StartAsync(context.MergedJobDataMap.GetLong(SweepJobs.RunIdKey), cancellationToken);
}

/// <summary>Queries one chunk of targets against the run's lists and records what changed.</summary>
public sealed class SweepChunkJob(SweepChunkProcessor processor) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await processor.RunAsync(context.MergedJobDataMap.GetLong(SweepJobs.RunIdKey), context.MergedJobDataMap.GetInt(SweepJobs.ChunkKey), cancellationToken);
}

/// <summary>The schedule: a sweep of everything, unless one is already running.</summary>
[DisallowConcurrentExecution]
public sealed class ScheduledSweepJob(SweepCoordinator coordinator, ILogger<ScheduledSweepJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var queued = await coordinator.QueueAsync([], "scheduled", null, cancellationToken);
        if (queued.AlreadyRunning)
        {
            log.LogInformation("Scheduled sweep skipped: sweep {RunId} is still running", queued.Run.Id);
        }
    }
}
