using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Alerts;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Alerts;

/// <summary>
/// Delivers the outbox. In a turn (<see cref="AlertTurns"/>): new alerts become deliveries, one per
/// recipient and webhook, joining that target's delivery still in its stacking window; then due
/// deliveries are claimed with a lease. Outside the turn each claimed delivery is rendered (once,
/// kept for its retries), sent, and marked sent right after the server accepted it; a failure is
/// retried with backoff and shown. A crash between acceptance and the mark can repeat a message,
/// with the same Message-ID or delivery id: at least once, never silently lost.
/// </summary>
public sealed class AlertDispatcher(
    PostmasterDbContext db,
    AlertTurns turns,
    AlertTargets targets,
    AlertContent content,
    AlertMailer mailer,
    AlertWebhooks webhooks,
    PublicLinks links,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertDispatcher> log)
{
    /// <summary>This process, as the lease names it.</summary>
    internal static readonly string Instance = $"{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Long enough for a batch of sends with their timeouts; after it another instance may try.</summary>
    internal static readonly TimeSpan Lease = TimeSpan.FromMinutes(15);

    private const int FanOutBatch = 1000;
    private const int ClaimBatch = 10;

    /// <summary>Delivers everything due; returns when the next waiting delivery falls due (null: none waits).</summary>
    public async Task<DateTimeOffset?> RunAsync(CancellationToken ct)
    {
        for (var round = 0; round < 10_000; round++)
        {
            var claimed = await turns.RunAsync(async token =>
            {
                await FanOutAsync(token);
                return await ClaimAsync(token);
            }, ct);
            if (claimed.Count == 0)
            {
                break;
            }

            await DeliverAsync(claimed, ct);
        }

        return await NextDueAsync(ct);
    }

    private TimeSpan Window => options.Value.StackingWindow;

    /// <summary>New alerts become deliveries: per target, joining the delivery still collecting in its window.</summary>
    private async Task FanOutAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var windowStart = now - Window;
        var open = (await db.AlertDeliveries
                .Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt == null && d.LeaseUntil == null && !d.Immediate && d.CreatedAt > windowStart)
                .ToListAsync(ct))
            .GroupBy(d => Identity(d)).ToDictionary(g => g.Key, g => g.OrderByDescending(d => d.Id).First());
        for (var batch = 0; batch < 100; batch++)
        {
            var alerts = await db.Alerts.Where(a => a.FannedOutAt == null).OrderBy(a => a.Id).Take(FanOutBatch).ToListAsync(ct);
            if (alerts.Count == 0)
            {
                return;
            }

            var kinds = new Dictionary<AlertDelivery, HashSet<string>>();
            var items = new List<(AlertDelivery Delivery, long AlertId)>();
            foreach (var alert in alerts)
            {
                alert.FannedOutAt = now;
                foreach (var target in await targets.ForAsync(alert, ct))
                {
                    AlertDelivery? delivery = null;
                    if (alert.Kind != AlertKinds.Test)
                    {
                        open.TryGetValue(target.Identity, out delivery);
                    }

                    if (delivery is null)
                    {
                        delivery = new AlertDelivery
                        {
                            Key = Guid.NewGuid().ToString("D"),
                            Channel = target.Channel,
                            Target = ColumnText.Fit(target.Target, 320)!,
                            TargetKey = target.TargetKey,
                            State = DeliveryState.Pending,
                            Kind = alert.Kind,
                            Immediate = alert.Kind == AlertKinds.Test,
                            CreatedAt = now,
                        };
                        db.AlertDeliveries.Add(delivery);
                        if (!delivery.Immediate)
                        {
                            open[target.Identity] = delivery;
                        }
                    }

                    delivery.AlertCount++;
                    if (!kinds.TryGetValue(delivery, out var set))
                    {
                        kinds[delivery] = set = [delivery.Kind];
                    }

                    set.Add(alert.Kind);
                    delivery.Kind = set.Count == 1 ? alert.Kind : AlertKinds.Digest;
                    items.Add((delivery, alert.Id));
                }
            }

            await db.SaveChangesAsync(ct); // the new deliveries' ids
            db.AlertDeliveryItems.AddRange(items.Select(i => new AlertDeliveryItem { DeliveryId = i.Delivery.Id, AlertId = i.AlertId }));
            await db.SaveChangesAsync(ct);
            if (alerts.Count < FanOutBatch)
            {
                return;
            }
        }
    }

    private static (AlertChannel, string) Identity(AlertDelivery d) => (d.Channel, d.TargetKey ?? d.Target.ToLowerInvariant());

    /// <summary>Due deliveries get this instance's lease; an attempt counts from here (a crash mid-send retries after the lease).</summary>
    private async Task<List<AlertDelivery>> ClaimAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var windowStart = now - Window;
        var due = await db.AlertDeliveries
            .Where(d => (d.State == DeliveryState.Pending || d.State == DeliveryState.Retrying)
                && (d.LeaseUntil == null || d.LeaseUntil < now)
                && (d.NextAttemptAt == null ? d.Immediate || d.CreatedAt <= windowStart : d.NextAttemptAt <= now))
            .OrderBy(d => d.Id)
            .Take(ClaimBatch)
            .ToListAsync(ct);
        foreach (var d in due)
        {
            d.Attempts++;
            d.LastAttemptAt = now;
            d.LeaseOwner = Instance;
            d.LeaseUntil = now + Lease;
            d.NextAttemptAt = now + Lease;
        }

        return due;
    }

    private async Task DeliverAsync(List<AlertDelivery> claimed, CancellationToken ct)
    {
        SmtpClient? smtp = null;
        Exception? smtpDown = null;
        try
        {
            foreach (var delivery in claimed)
            {
                if (delivery.Subject is null && !await RenderAsync(delivery, ct))
                {
                    continue;
                }

                if (delivery.Channel == AlertChannel.Webhook)
                {
                    await PostAsync(delivery, ct);
                    continue;
                }

                if (smtpDown is not null)
                {
                    await FailedAsync(delivery, AlertMailer.Describe(smtpDown), permanent: false, ct);
                    continue;
                }

                try
                {
                    smtp ??= await mailer.ConnectAsync(ct);
                    await smtp.SendAsync(mailer.Build(delivery), ct);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    var permanent = AlertMailer.IsPermanent(e);
                    if (!permanent)
                    {
                        smtpDown = e; // the server is away: the rest of this batch waits for the retry too
                        smtp?.Dispose();
                        smtp = null;
                    }

                    log.LogWarning("Alert delivery {DeliveryId} to {Target} failed (attempt {Attempt}): {Error}", delivery.Id, delivery.Target, delivery.Attempts, e.Message);
                    await FailedAsync(delivery, AlertMailer.Describe(e), permanent, ct);
                    continue;
                }

                await SentAsync(delivery, ct); // right after the server accepted it
            }
        }
        finally
        {
            if (smtp is not null)
            {
                try
                {
                    await smtp.DisconnectAsync(quit: true, CancellationToken.None);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    log.LogDebug(e, "SMTP QUIT failed after the alerts were sent");
                }

                smtp.Dispose();
            }
        }
    }

    private async Task PostAsync(AlertDelivery delivery, CancellationToken ct)
    {
        var hook = options.Value.Webhooks.FirstOrDefault(h => AlertTargets.WebhookKey(h.Url) == delivery.TargetKey);
        if (hook is null)
        {
            await FailedAsync(delivery, "This webhook is no longer configured (Postmaster:Alerts:Webhooks).", permanent: true, ct);
            return;
        }

        var outcome = await webhooks.PostAsync(hook, delivery, ct);
        if (outcome.Delivered)
        {
            await SentAsync(delivery, ct);
            return;
        }

        log.LogWarning("Alert delivery {DeliveryId} to {Target} failed (attempt {Attempt}): {Error}", delivery.Id, delivery.Target, delivery.Attempts, outcome.Error);
        await FailedAsync(delivery, outcome.Error ?? "failed", outcome.Permanent, ct);
    }

    /// <summary>Renders the message once and keeps it, so every retry sends the same content (and signature).</summary>
    private async Task<bool> RenderAsync(AlertDelivery delivery, CancellationToken ct)
    {
        var alertIds = await db.AlertDeliveryItems.AsNoTracking().Where(i => i.DeliveryId == delivery.Id).Select(i => i.AlertId).ToListAsync(ct);
        var views = await content.LoadAsync(alertIds, ct);
        if (views.Count == 0)
        {
            await FailedAsync(delivery, "Its alerts are gone (removed by retention).", permanent: true, ct);
            return false;
        }

        string subject, body;
        string? html = null;
        if (delivery.Channel == AlertChannel.Email)
        {
            var mail = AlertRenderer.Email(views, links.For("/Account/Alerts"));
            (subject, body, html) = (mail.Subject, mail.Text, mail.Html);
        }
        else
        {
            var hook = options.Value.Webhooks.FirstOrDefault(h => AlertTargets.WebhookKey(h.Url) == delivery.TargetKey);
            subject = AlertRenderer.Subject(AlertRenderer.Collapse(views));
            body = hook?.IsSlack == true ? AlertRenderer.SlackJson(views) : AlertRenderer.WebhookJson(delivery.Key, views);
        }

        (delivery.Subject, delivery.Body, delivery.HtmlBody) = (ColumnText.Fit(subject, 500), body, html);
        await db.AlertDeliveries.Where(d => d.Id == delivery.Id && d.LeaseOwner == Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Subject, delivery.Subject).SetProperty(d => d.Body, body).SetProperty(d => d.HtmlBody, html), ct);
        return true;
    }

    private async Task SentAsync(AlertDelivery delivery, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await db.AlertDeliveries.Where(d => d.Id == delivery.Id && d.LeaseOwner == Instance).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.State, DeliveryState.Sent)
            .SetProperty(d => d.SentAt, now)
            .SetProperty(d => d.NextAttemptAt, (DateTimeOffset?)null)
            .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
            .SetProperty(d => d.LeaseOwner, (string?)null), CancellationToken.None); // the server has it: record that whatever happens next
        log.LogInformation("Alert delivery {DeliveryId} ({Kind}, {Alerts} alerts) sent to {Target}", delivery.Id, delivery.Kind, delivery.AlertCount, delivery.Target);
    }

    private async Task FailedAsync(AlertDelivery delivery, string error, bool permanent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var giveUp = permanent || now - delivery.CreatedAt > TimeSpan.FromHours(options.Value.GiveUpHours);
        var next = giveUp ? (DateTimeOffset?)null : now + RetrySchedule.After(delivery.Attempts, TimeSpan.FromSeconds(options.Value.RetrySeconds));
        var state = giveUp ? DeliveryState.Failed : DeliveryState.Retrying;
        var text = ColumnText.Fit(giveUp && !permanent ? $"Given up after {delivery.Attempts} attempts: {error}" : error, AlertDelivery.MaxErrorLength);
        await db.AlertDeliveries.Where(d => d.Id == delivery.Id && d.LeaseOwner == Instance).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.State, state)
            .SetProperty(d => d.LastError, text)
            .SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
            .SetProperty(d => d.LeaseOwner, (string?)null), CancellationToken.None);
    }

    private async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        var retry = await db.AlertDeliveries.AsNoTracking()
            .Where(d => (d.State == DeliveryState.Pending || d.State == DeliveryState.Retrying) && d.NextAttemptAt != null)
            .OrderBy(d => d.NextAttemptAt).Select(d => d.NextAttemptAt).FirstOrDefaultAsync(ct);
        var collecting = await db.AlertDeliveries.AsNoTracking()
            .Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt == null)
            .OrderBy(d => d.CreatedAt).Select(d => (DateTimeOffset?)d.CreatedAt).FirstOrDefaultAsync(ct);
        var window = collecting + Window;
        return (retry, window) switch
        {
            ({ } r, { } w) => r < w ? r : w,
            ({ } r, null) => r,
            (null, { } w) => w,
            _ => null,
        };
    }
}
