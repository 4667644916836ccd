using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Incidents;

public enum IncidentBasis
{
    /// <summary>The value is on one of the operator's lists.</summary>
    Listing,

    /// <summary>The provider refuses mail from the value (a source IP).</summary>
    Rejection,
}

/// <summary>
/// One affected value of an incident, per list (for listings) or receiver and kind (for rejections),
/// with its own first and last seen. A /16 listed at once is 65,536 of these narrow rows, paged on the
/// incident, and one timeline entry.
/// </summary>
public sealed class IncidentValue
{
    public long Id { get; set; }

    public long IncidentId { get; set; }

    /// <summary>The listed IP or domain, or the refused source IP.</summary>
    public string Value { get; set; } = "";

    /// <summary>The list's zone, or the receiver that refuses (a rejection cited by it is still the receiver here).</summary>
    public string Source { get; set; } = "";

    public IncidentBasis Basis { get; set; }

    /// <summary>Still listed, or still refused: cleared values wait for the rest.</summary>
    public bool Active { get; set; }

    public long? BlocklistId { get; set; }

    public string Codes { get; set; } = "";

    /// <summary>Listing categories, or the rejection kind.</summary>
    public string Categories { get; set; } = "";

    /// <summary>The list's TXT reason, or the newest rejection text.</summary>
    public string? Reason { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public DateTimeOffset? ClearedAt { get; set; }
}

internal sealed class IncidentValueConfiguration : IEntityTypeConfiguration<IncidentValue>
{
    public void Configure(EntityTypeBuilder<IncidentValue> builder)
    {
        builder.Property(v => v.Value).HasMaxLength(300);
        builder.Property(v => v.Source).HasMaxLength(255);
        builder.Property(v => v.Codes).HasMaxLength(300);
        builder.Property(v => v.Categories).HasMaxLength(300);
        builder.Property(v => v.Reason).HasMaxLength(1000);
        builder.HasOne<Incident>().WithMany().HasForeignKey(v => v.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(v => new { v.IncidentId, v.Value, v.Source }).IsUnique();
        builder.HasIndex(v => new { v.IncidentId, v.Active });
    }
}
