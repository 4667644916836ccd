using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Database;
using Quartz;

namespace Postmaster.Web.Audit;

/// <summary>Nightly: removes audit entries older than <c>Postmaster:Retention:AuditDays</c>.</summary>
[DisallowConcurrentExecution]
public sealed class AuditRetentionJob(PostmasterDbContext db, IOptions<AuditRetentionOptions> options, TimeProvider time, ILogger<AuditRetentionJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await PruneAsync(cancellationToken);

    public async Task<int> PruneAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.AuditDays);
        var removed = await db.AuditEntries.Where(e => e.At < cutoff).ExecuteDeleteAsync(ct);
        if (removed > 0)
        {
            log.LogInformation("Removed {Count} audit entries older than {Days} days", removed, options.Value.AuditDays);
        }

        return removed;
    }
}

/// <summary>Binds the audit part of <c>Postmaster:Retention</c>.</summary>
public sealed class AuditRetentionOptions
{
    public const string Section = "Postmaster:Retention";

    public int AuditDays { get; set; } = 400;
}
