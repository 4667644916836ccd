using Quartz;

namespace Postmaster.Web.Signals.Probes;

/// <summary>Runs one configured probe (its index in <c>Postmaster:Signals:Probes</c> is in the job data); one run at a time per probe.</summary>
[DisallowConcurrentExecution]
public sealed class ProbeJob(ProbeRunner runner, ILogger<ProbeJob> log) : IJob
{
    public const string Group = "probes";
    public const string IndexKey = "probe";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var index = context.MergedJobDataMap.GetInt(IndexKey);
        if (index >= 0 && index < runner.Probes.Count && !runner.Probes[index].Enabled)
        {
            log.LogInformation("Probe {Index} ({Provider}) is disabled; skipped", index, runner.Probes[index].Provider);
            return;
        }

        await runner.RunAsync(index, cancellationToken);
    }
}
