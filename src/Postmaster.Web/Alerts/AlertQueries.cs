using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Alerts;

/// <summary>
/// One delivery as the API and Settings → Alerts show it. <c>state</c>: <c>pending</c> (collecting
/// or waiting for its first attempt), <c>sending</c>, <c>retrying</c>, <c>sent</c>, <c>failed</c> (given up).
/// <c>deliveryId</c> is the email's Message-ID and the webhook's <c>X-Postmaster-Delivery</c>.
/// </summary>
public sealed record AlertDeliveryResponse(
    long Id, string DeliveryId, string Kind, string? Summary, string Channel, string Target, string State, int Attempts, string? LastError,
    int AlertCount, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt)
{
    public static AlertDeliveryResponse From(AlertDelivery d, DateTimeOffset now) => new(
        d.Id, d.Key, d.Kind, d.Subject?.StartsWith(AlertRenderer.SubjectPrefix, StringComparison.Ordinal) == true ? d.Subject[AlertRenderer.SubjectPrefix.Length..] : d.Subject,
        d.Channel == AlertChannel.Email ? "email" : "webhook", d.Target, StateOf(d, now), d.Attempts, d.LastError,
        d.AlertCount, d.CreatedAt, d.LastAttemptAt, d.State is DeliveryState.Pending or DeliveryState.Retrying ? d.NextAttemptAt : null, d.SentAt);

    public static string StateOf(AlertDelivery d, DateTimeOffset now) => d.State switch
    {
        DeliveryState.Sent => "sent",
        DeliveryState.Failed => "failed",
        _ when d.LeaseUntil > now => "sending",
        DeliveryState.Retrying => "retrying",
        _ => "pending",
    };
}

public sealed class AlertQueries(PostmasterDbContext db, TimeProvider time)
{
    /// <summary>Newest first by id: ids only grow, so a page stays put while deliveries are added.</summary>
    public sealed record PageKey(long Id) : IPageKey
    {
        public static string Scope => "alerts";
    }

    public async Task<Page<AlertDeliveryResponse>> PageAsync(PageRequest<PageKey> page, bool failuresOnly, CancellationToken ct)
    {
        var query = db.AlertDeliveries.AsNoTracking();
        if (failuresOnly)
        {
            query = query.Where(d => d.State == DeliveryState.Retrying || d.State == DeliveryState.Failed);
        }

        if (page.After is { } after)
        {
            query = query.Where(d => d.Id < after.Id);
        }

        var rows = await query.OrderByDescending(d => d.Id).Take(page.Limit + 1).ToListAsync(ct);
        var now = time.GetUtcNow();
        return Paging.Cut(rows, page.Limit, d => new PageKey(d.Id)).Select(d => AlertDeliveryResponse.From(d, now));
    }

    /// <summary>How many deliveries are being retried or were given up (the settings page says so first).</summary>
    public Task<int> FailingCountAsync(CancellationToken ct) =>
        db.AlertDeliveries.CountAsync(d => d.State == DeliveryState.Retrying || d.State == DeliveryState.Failed, ct);

    /// <summary>Recent alerts, whether or not anything was configured to deliver them.</summary>
    public Task<List<Alert>> RecentAlertsAsync(int count, CancellationToken ct) =>
        db.Alerts.AsNoTracking().OrderByDescending(a => a.Id).Take(count).ToListAsync(ct);
}
