using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Signals;
using Quartz;

namespace Postmaster.Web.Alerts;

/// <summary>Delivers what the immediate runs missed: a crash, a restart, another instance's alerts, a retry that fell due.</summary>
[DisallowConcurrentExecution]
public sealed class AlertDeliveryJob(AlertTrigger trigger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await trigger.RunAsync(cancellationToken);
}

/// <summary>
/// Finds sending IPs whose quiet-IP risk turned high (or worse) and alerts once per silence: what it
/// alerted is kept (<see cref="QuietIpAlertMark"/>) in the same transaction as the alert. All IPs of
/// one provider found in one check are one alert.
/// </summary>
[DisallowConcurrentExecution]
public sealed class QuietIpAlertJob(PostmasterDbContext db, SignalQueries signals, ResponseClassifier classifier, AlertTrigger trigger, TimeProvider time) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await CheckAsync(cancellationToken);

    /// <summary>Returns how many IPs were newly alerted.</summary>
    public async Task<int> CheckAsync(CancellationToken ct)
    {
        var high = new List<QuietRow>();
        var page = new PageRequest<SignalQueries.QuietKey>(Paging.MaxLimit, null);
        for (var n = 0; n < 10_000; n++)
        {
            var rows = await signals.QuietAsync(page, ct);
            high.AddRange(rows.Items.Where(r => r.Risk >= QuietRisk.High));
            if (rows.Next is null || !PageCursor.TryDecode<SignalQueries.QuietKey>(rows.Next, out var after))
            {
                break;
            }

            page = page with { After = after };
        }

        if (high.Count == 0)
        {
            return 0;
        }

        var marks = await db.QuietIpAlertMarks.ToDictionaryAsync(m => (m.Provider, m.SourceIp), ct);
        var now = time.GetUtcNow();
        var fresh = high.Where(r => !marks.TryGetValue((r.Provider, r.SourceIp), out var mark) || mark.LastDelivered != r.LastDelivered).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var byProvider in fresh.GroupBy(r => r.Provider))
        {
            var rows = byProvider.OrderBy(r => r.LastDelivered).ToList();
            var name = classifier.Pack(byProvider.Key)?.Name ?? byProvider.Key;
            var reason = rows.Count == 1 ? rows[0].Reason : $"{rows.Count:N0} IPs have gone quiet past their usual rhythm. The quietest: {rows[0].SourceIp}: {rows[0].Reason}";
            await AlertOutbox.AddQuietIpsAsync(db, byProvider.Key, name, [.. rows.Select(r => r.SourceIp)], reason, now, ct);
            foreach (var row in rows)
            {
                if (marks.TryGetValue((row.Provider, row.SourceIp), out var mark))
                {
                    (mark.LastDelivered, mark.AlertedAt) = (row.LastDelivered, now);
                }
                else
                {
                    db.QuietIpAlertMarks.Add(new QuietIpAlertMark { Provider = row.Provider, SourceIp = row.SourceIp, LastDelivered = row.LastDelivered, AlertedAt = now });
                }
            }
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        trigger.Poke();
        return fresh.Count;
    }
}

/// <summary>Nightly: removes alerts and deliveries older than <c>Postmaster:Retention:OutboxDays</c> (a delivery still being tried stays).</summary>
[DisallowConcurrentExecution]
public sealed class AlertRetentionJob(PostmasterDbContext db, IOptions<AlertRetentionOptions> options, TimeProvider time, ILogger<AlertRetentionJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await PruneAsync(cancellationToken);

    public async Task<int> PruneAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.OutboxDays);
        var deliveries = await db.AlertDeliveries
            .Where(d => d.CreatedAt < cutoff && (d.State == DeliveryState.Sent || d.State == DeliveryState.Failed))
            .ExecuteDeleteAsync(ct);
        var alerts = await db.Alerts
            .Where(a => a.At < cutoff && a.FannedOutAt != null && !db.AlertDeliveryItems.Any(i => i.AlertId == a.Id))
            .ExecuteDeleteAsync(ct);
        log.LogInformation("Retention: removed {Deliveries} alert deliveries and {Alerts} alerts older than {Days} days", deliveries, alerts, options.Value.OutboxDays);
        return deliveries + alerts;
    }
}

/// <summary>Binds the outbox part of <c>Postmaster:Retention</c>.</summary>
public sealed class AlertRetentionOptions
{
    public const string Section = "Postmaster:Retention";

    public int OutboxDays { get; set; } = 30;
}
