using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Blocklists;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// The listing state of one address or domain on one list. A row exists only once something was
/// listed: a clean /16 adds no rows. Transitions are <see cref="ListingEvent"/>s.
/// </summary>
public sealed class Listing
{
    public long Id { get; set; }

    public long AssetId { get; set; }

    public long BlocklistId { get; set; }

    /// <summary>The listed IP or domain itself (the asset may be a range).</summary>
    public required string Value { get; set; }

    public bool Active { get; set; }

    public string Codes { get; set; } = "";

    public string Categories { get; set; } = "";

    public string? Reason { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public DateTimeOffset LastChecked { get; set; }

    public DateTimeOffset? DelistedAt { get; set; }
}

public sealed class ListingEvent
{
    public long Id { get; set; }

    public long ListingId { get; set; }

    public long AssetId { get; set; }

    public long BlocklistId { get; set; }

    public required string Value { get; set; }

    public ListingChange Kind { get; set; }

    public string Codes { get; set; } = "";

    public long? RunId { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>Set in the transaction that applies this event to incidents: each is applied once.</summary>
    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>Written by the upgrade that introduced incidents, for a listing active then: opens its incident without an alert.</summary>
    public bool Backfilled { get; set; }
}

internal sealed class ListingConfiguration : IEntityTypeConfiguration<Listing>, IEntityTypeConfiguration<ListingEvent>
{
    public void Configure(EntityTypeBuilder<Listing> builder)
    {
        builder.Property(l => l.Value).HasMaxLength(300);
        builder.Property(l => l.Codes).HasMaxLength(300);
        builder.Property(l => l.Categories).HasMaxLength(300);
        builder.Property(l => l.Reason).HasMaxLength(600);
        builder.HasIndex(l => new { l.BlocklistId, l.Value }).IsUnique();
        builder.HasIndex(l => new { l.Active, l.AssetId });
    }

    public void Configure(EntityTypeBuilder<ListingEvent> builder)
    {
        builder.Property(e => e.Value).HasMaxLength(300);
        builder.Property(e => e.Codes).HasMaxLength(300);
        builder.HasIndex(e => new { e.AssetId, e.At });

        // The incident engine's work queue: events not yet applied, oldest first.
        builder.HasIndex(e => new { e.ProcessedAt, e.Id });
    }
}
