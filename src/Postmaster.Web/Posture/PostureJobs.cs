using Quartz;

namespace Postmaster.Web.Posture;

/// <summary>The scheduled refresh of every asset's posture (<c>Postmaster:Posture:Schedule</c>).</summary>
[DisallowConcurrentExecution]
public sealed class PostureRefreshJob(PostureService service) : IJob
{
    public const string Group = "posture";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await service.RefreshAllAsync(cancellationToken);
}
