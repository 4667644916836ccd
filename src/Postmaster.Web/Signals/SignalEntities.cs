using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Signals;

namespace Postmaster.Web.Signals;

/// <summary>
/// Delivery outcomes counted per hour, provider, kind, status and source IP. Ten million log lines a
/// day become a few thousand rows. Unknown parts are stored as "" so the unique key works everywhere.
/// </summary>
public sealed class SignalBucket
{
    public long Id { get; set; }

    public DateTimeOffset Hour { get; set; }

    public string Provider { get; set; } = "";

    /// <summary>"" for deliveries, else the kind's API name.</summary>
    public string Kind { get; set; } = "";

    public DeliveryStatus Status { get; set; }

    public string SourceIp { get; set; } = "";

    public long Count { get; set; }
}

/// <summary>Raw evidence, bounded: the newest few per provider and kind are kept.</summary>
public sealed class SignalSample
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public string Provider { get; set; } = "";

    public string Kind { get; set; } = "";

    public DeliveryStatus Status { get; set; }

    public string? SourceIp { get; set; }

    public string? RecipientDomain { get; set; }

    public string? Mx { get; set; }

    public int? SmtpCode { get; set; }

    public string? EnhancedCode { get; set; }

    public string? Response { get; set; }

    public string? Blocklist { get; set; }

    public string? MatchedRule { get; set; }

    public string Origin { get; set; } = "";
}

/// <summary>When a source IP last delivered to and was last refused by a provider: for quiet-IP risk and episodes.</summary>
public sealed class ProviderActivity
{
    public string Provider { get; set; } = "";

    public string SourceIp { get; set; } = "";

    public DateTimeOffset? LastDelivered { get; set; }

    public DateTimeOffset? LastRejected { get; set; }

    public long Delivered { get; set; }
}

/// <summary>One upload or poll: how much was read, how much was not, with samples of what was wrong.</summary>
public sealed class IngestReport
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public string Origin { get; set; } = "";

    public long Accepted { get; set; }

    public long Ignored { get; set; }

    public long Malformed { get; set; }

    /// <summary>Up to ten malformed inputs: line number, reason and a bounded excerpt.</summary>
    public string SamplesJson { get; set; } = "[]";
}

public enum EpisodeState
{
    Open,
    Ended,
}

/// <summary>
/// A block by a provider against a source IP: opened when rejections of a kind pass the configured
/// threshold, ended when they stop and mail flows again. The incident feature turns these into incidents.
/// </summary>
public sealed class BlockEpisode
{
    public long Id { get; set; }

    public string Provider { get; set; } = "";

    public string SourceIp { get; set; } = "";

    public string Kind { get; set; } = "";

    public EpisodeState State { get; set; }

    /// <summary>1 while open, null after: one open episode per (provider, IP, kind), enforced by the database.</summary>
    public int? OpenMarker { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public long Rejections { get; set; }

    public string? Blocklist { get; set; }

    public string? MatchedRule { get; set; }

    public string? SampleResponse { get; set; }
}

internal sealed class SignalConfiguration :
    IEntityTypeConfiguration<SignalBucket>, IEntityTypeConfiguration<SignalSample>, IEntityTypeConfiguration<ProviderActivity>,
    IEntityTypeConfiguration<IngestReport>, IEntityTypeConfiguration<BlockEpisode>
{
    public void Configure(EntityTypeBuilder<SignalBucket> builder)
    {
        builder.Property(b => b.Provider).HasMaxLength(64);
        builder.Property(b => b.Kind).HasMaxLength(32);
        builder.Property(b => b.SourceIp).HasMaxLength(45);
        builder.HasIndex(b => new { b.Hour, b.Provider, b.Kind, b.Status, b.SourceIp }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<SignalSample> builder)
    {
        builder.Property(s => s.Provider).HasMaxLength(64);
        builder.Property(s => s.Kind).HasMaxLength(32);
        builder.Property(s => s.SourceIp).HasMaxLength(45);
        builder.Property(s => s.RecipientDomain).HasMaxLength(255);
        builder.Property(s => s.Mx).HasMaxLength(255);
        builder.Property(s => s.EnhancedCode).HasMaxLength(16);
        builder.Property(s => s.Response).HasMaxLength(DeliveryOutcome.MaxResponseLength);
        builder.Property(s => s.Blocklist).HasMaxLength(64);
        builder.Property(s => s.MatchedRule).HasMaxLength(100);
        builder.Property(s => s.Origin).HasMaxLength(32);
        builder.HasIndex(s => new { s.Provider, s.Kind, s.Id });
    }

    public void Configure(EntityTypeBuilder<ProviderActivity> builder)
    {
        builder.HasKey(a => new { a.Provider, a.SourceIp });
        builder.Property(a => a.Provider).HasMaxLength(64);
        builder.Property(a => a.SourceIp).HasMaxLength(45);
    }

    public void Configure(EntityTypeBuilder<IngestReport> builder)
    {
        builder.Property(r => r.Origin).HasMaxLength(300);
        builder.Property(r => r.SamplesJson).HasMaxLength(8000);
    }

    public void Configure(EntityTypeBuilder<BlockEpisode> builder)
    {
        builder.Property(e => e.Provider).HasMaxLength(64);
        builder.Property(e => e.SourceIp).HasMaxLength(45);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.Blocklist).HasMaxLength(64);
        builder.Property(e => e.MatchedRule).HasMaxLength(100);
        builder.Property(e => e.SampleResponse).HasMaxLength(1000);
        builder.HasIndex(e => new { e.Provider, e.SourceIp, e.Kind, e.OpenMarker }).IsUnique();
        builder.HasIndex(e => e.State);
    }
}
