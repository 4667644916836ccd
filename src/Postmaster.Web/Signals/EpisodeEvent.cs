using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Signals;

public enum EpisodeChange
{
    Opened,
    Ended,
}

/// <summary>
/// A block episode opening or ending, written in the same transaction as the episode row, as
/// listing events are for listings: what the incident engine consumes. <see cref="ProcessedAt"/> is
/// set in the transaction that applies the event, so each event is applied once, whatever order
/// concurrent commits make ids visible in.
/// </summary>
public sealed class EpisodeEvent
{
    public long Id { get; set; }

    public long EpisodeId { get; set; }

    public BlockEpisode? Episode { get; set; }

    public EpisodeChange Change { get; set; }

    public string Provider { get; set; } = "";

    public string SourceIp { get; set; } = "";

    public string Kind { get; set; } = "";

    /// <summary>The blocklist zone the rejections cited, if any: the episode then belongs to that list's operator.</summary>
    public string? Blocklist { get; set; }

    public DateTimeOffset At { get; set; }

    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>Written by the upgrade that introduced incidents, for an episode open then: opens its incident without an alert.</summary>
    public bool Backfilled { get; set; }
}

internal sealed class EpisodeEventConfiguration : IEntityTypeConfiguration<EpisodeEvent>
{
    public void Configure(EntityTypeBuilder<EpisodeEvent> builder)
    {
        builder.Property(e => e.Provider).HasMaxLength(64);
        builder.Property(e => e.SourceIp).HasMaxLength(45);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.Blocklist).HasMaxLength(64);
        builder.HasOne(e => e.Episode).WithMany().HasForeignKey(e => e.EpisodeId).OnDelete(DeleteBehavior.Cascade);

        // The engine's work queue: events not yet applied, oldest first.
        builder.HasIndex(e => new { e.ProcessedAt, e.Id });
    }
}
