using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Incidents;

/// <summary>
/// A rejection copied into the incident as evidence, so later traffic cannot push it out of the
/// shared samples. Bounded per incident (<see cref="PerIncident"/>, the newest kept).
/// </summary>
public sealed class IncidentSample
{
    public const int PerIncident = 20;

    public long Id { get; set; }

    public long IncidentId { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The receiver that refused.</summary>
    public string Receiver { get; set; } = "";

    public string? SourceIp { get; set; }

    public string? Mx { get; set; }

    public string Kind { get; set; } = "";

    public int? SmtpCode { get; set; }

    public string? EnhancedCode { get; set; }

    public string Response { get; set; } = "";
}

internal sealed class IncidentSampleConfiguration : IEntityTypeConfiguration<IncidentSample>
{
    public void Configure(EntityTypeBuilder<IncidentSample> builder)
    {
        builder.Property(s => s.Receiver).HasMaxLength(64);
        builder.Property(s => s.SourceIp).HasMaxLength(45);
        builder.Property(s => s.Mx).HasMaxLength(255);
        builder.Property(s => s.Kind).HasMaxLength(32);
        builder.Property(s => s.EnhancedCode).HasMaxLength(16);
        builder.Property(s => s.Response).HasMaxLength(1000);
        builder.HasOne<Incident>().WithMany().HasForeignKey(s => s.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.IncidentId, s.Id });
    }
}
