using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Alerts;

public enum AlertChannel
{
    Email,
    Webhook,
}

public enum DeliveryState
{
    /// <summary>Collecting alerts (the stacking window), or waiting for its first attempt.</summary>
    Pending,

    /// <summary>An attempt failed; the next one is at <see cref="AlertDelivery.NextAttemptAt"/>.</summary>
    Retrying,

    Sent,

    /// <summary>Given up: refused for good (a private webhook target, a recipient the server rejects) or tried too long.</summary>
    Failed,
}

/// <summary>
/// One message to one recipient or webhook: a single alert, or a digest of the alerts of its stacking
/// window. Its <see cref="Key"/> is the email's Message-ID and the webhook's <c>X-Postmaster-Delivery</c>,
/// the same on every retry, and its content is rendered once (on the first attempt) and kept, so a
/// retry sends the same bytes and the same signature.
/// </summary>
public sealed class AlertDelivery
{
    public const int MaxErrorLength = 1000;

    public long Id { get; set; }

    public string Key { get; set; } = "";

    public AlertChannel Channel { get; set; }

    /// <summary>The email address, or the webhook as people may see it (its host, never its path: Slack's holds the secret).</summary>
    public string Target { get; set; } = "";

    /// <summary>A webhook's URL, hashed: which configured webhook this is, even if the list was reordered.</summary>
    public string? TargetKey { get; set; }

    public DeliveryState State { get; set; }

    /// <summary>The alert kind, or <c>digest</c> for alerts of several kinds.</summary>
    public string Kind { get; set; } = "";

    public int AlertCount { get; set; }

    /// <summary>A test alert: goes out at once, never stacked.</summary>
    public bool Immediate { get; set; }

    /// <summary>When the first alert arrived: the stacking window runs from here.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>Null before the first attempt; then when the next may start (after a crash: when the lease runs out).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>Which instance is sending it, and until when the others leave it alone.</summary>
    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Rendered on the first attempt: the email subject, or the webhook summary.</summary>
    public string? Subject { get; set; }

    /// <summary>The plain-text mail body, or the webhook's JSON body.</summary>
    public string? Body { get; set; }

    public string? HtmlBody { get; set; }
}

/// <summary>Which alerts a delivery carries.</summary>
public sealed class AlertDeliveryItem
{
    public long DeliveryId { get; set; }

    public long AlertId { get; set; }
}

internal sealed class AlertDeliveryConfiguration : IEntityTypeConfiguration<AlertDelivery>, IEntityTypeConfiguration<AlertDeliveryItem>
{
    public void Configure(EntityTypeBuilder<AlertDelivery> builder)
    {
        builder.Property(d => d.Key).HasMaxLength(40);
        builder.Property(d => d.Target).HasMaxLength(320);
        builder.Property(d => d.TargetKey).HasMaxLength(64);
        builder.Property(d => d.Kind).HasMaxLength(40);
        builder.Property(d => d.LastError).HasMaxLength(AlertDelivery.MaxErrorLength);
        builder.Property(d => d.LeaseOwner).HasMaxLength(64);
        builder.Property(d => d.Subject).HasMaxLength(500);
        builder.HasIndex(d => d.Key).IsUnique();
        builder.HasIndex(d => new { d.State, d.NextAttemptAt });
        builder.HasIndex(d => d.CreatedAt);
    }

    public void Configure(EntityTypeBuilder<AlertDeliveryItem> builder)
    {
        builder.HasKey(i => new { i.DeliveryId, i.AlertId });
        builder.HasOne<AlertDelivery>().WithMany().HasForeignKey(i => i.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Alert>().WithMany().HasForeignKey(i => i.AlertId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(i => i.AlertId);
    }
}
