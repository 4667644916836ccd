using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Incidents;

namespace Postmaster.Web.Alerts;

/// <summary>
/// One thing a person must act on, written in the same transaction as the change that caused it
/// (the outbox): a crash either keeps both or neither. Deliveries are made from it afterwards
/// (<see cref="AlertDelivery"/>), one per recipient or webhook, stacked into digests.
/// </summary>
public sealed class Alert
{
    public const int MaxSummaryLength = 300;
    public const int MaxDetailLength = 2000;
    public const int MaxValuesLength = 4000;

    public long Id { get; set; }

    /// <summary>As PRODUCT.md names it (<see cref="Core.Alerts.AlertKinds"/>).</summary>
    public string Kind { get; set; } = "";

    public DateTimeOffset At { get; set; }

    public long? IncidentId { get; set; }

    /// <summary>The provider slug, for subscriptions that name providers; null when no provider is concerned.</summary>
    public string? Provider { get; set; }

    /// <summary>The incident's severity after the change, for subscriptions with a least severity.</summary>
    public IncidentSeverity? Severity { get; set; }

    /// <summary>One line that says what this is about (the lists and pages show it).</summary>
    public string Summary { get; set; } = "";

    /// <summary>What happened, in a sentence or two, with what to do when that is known at the time.</summary>
    public string Detail { get; set; } = "";

    /// <summary>The values concerned (IPs, domains, zones), one a line, the first 100.</summary>
    public string Values { get; set; } = "";

    /// <summary>How many values there were in all (more than the lines kept when a /16 is concerned).</summary>
    public long ValueCount { get; set; }

    /// <summary>The page to act on, as a path (<c>/incidents/12</c>); made absolute with <c>Postmaster:PublicUrl</c>.</summary>
    public string? Link { get; set; }

    /// <summary>What the alert is about for repeat suppression: <c>list:5</c>, <c>sweeps</c>, <c>request:7</c>.</summary>
    public string? SubjectKey { get; set; }

    /// <summary>A test alert: the admin who asked for it (who gets it as well as the recipients).</summary>
    public string? RequestedBy { get; set; }

    /// <summary>When its deliveries were made; null while they are still to be made.</summary>
    public DateTimeOffset? FannedOutAt { get; set; }

    public IEnumerable<string> ValueLines() => Values.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> builder)
    {
        builder.Property(a => a.Kind).HasMaxLength(40);
        builder.Property(a => a.Provider).HasMaxLength(64);
        builder.Property(a => a.Summary).HasMaxLength(Alert.MaxSummaryLength);
        builder.Property(a => a.Detail).HasMaxLength(Alert.MaxDetailLength);
        builder.Property(a => a.Values).HasMaxLength(Alert.MaxValuesLength);
        builder.Property(a => a.Link).HasMaxLength(300);
        builder.Property(a => a.SubjectKey).HasMaxLength(200);
        builder.Property(a => a.RequestedBy).HasMaxLength(256);
        builder.HasIndex(a => a.FannedOutAt);
        builder.HasIndex(a => new { a.Kind, a.SubjectKey, a.At });
        builder.HasIndex(a => a.At);
    }
}
