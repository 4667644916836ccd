using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Alerts;
using Postmaster.Core.Incidents;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Alerts;

/// <summary>
/// What one person wants by email (their own page, every role): nothing until they switch it on,
/// then the kinds they tick, from the providers they name (none: all), from a least severity.
/// </summary>
public sealed class AlertSubscription
{
    public string UserId { get; set; } = "";

    public bool Email { get; set; }

    /// <summary>Kinds, comma-separated.</summary>
    public string Kinds { get; set; } = "";

    /// <summary>Provider slugs, comma-separated; empty for every provider.</summary>
    public string Providers { get; set; } = "";

    public IncidentSeverity? MinimumSeverity { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public AlertInterest Interest() => new(AlertInterest.Split(Kinds), AlertInterest.Split(Providers), MinimumSeverity);
}

/// <summary>A kind an admin switched off (Settings → Alerts): no alert of it is written. No row: on.</summary>
public sealed class AlertKindSetting
{
    public string Kind { get; set; } = "";

    public bool Enabled { get; set; } = true;

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }
}

/// <summary>
/// What the quiet-IP check last alerted for one (provider, IP): the silence that began with this
/// last delivery. The same silence alerts once; a new one (the IP sent, then went quiet again) alerts again.
/// </summary>
public sealed class QuietIpAlertMark
{
    public string Provider { get; set; } = "";

    public string SourceIp { get; set; } = "";

    public DateTimeOffset LastDelivered { get; set; }

    public DateTimeOffset AlertedAt { get; set; }
}

internal sealed class AlertSettingsConfiguration :
    IEntityTypeConfiguration<AlertSubscription>, IEntityTypeConfiguration<AlertKindSetting>, IEntityTypeConfiguration<QuietIpAlertMark>
{
    public void Configure(EntityTypeBuilder<AlertSubscription> builder)
    {
        builder.HasKey(s => s.UserId);
        builder.Property(s => s.Kinds).HasMaxLength(1000);
        builder.Property(s => s.Providers).HasMaxLength(2000);
        builder.HasOne<PostmasterUser>().WithOne().HasForeignKey<AlertSubscription>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<AlertKindSetting> builder)
    {
        builder.HasKey(s => s.Kind);
        builder.Property(s => s.Kind).HasMaxLength(40);
        builder.Property(s => s.UpdatedBy).HasMaxLength(300);
    }

    public void Configure(EntityTypeBuilder<QuietIpAlertMark> builder)
    {
        builder.HasKey(m => new { m.Provider, m.SourceIp });
        builder.Property(m => m.Provider).HasMaxLength(64);
        builder.Property(m => m.SourceIp).HasMaxLength(45);
    }
}
