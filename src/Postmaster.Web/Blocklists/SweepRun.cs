using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Blocklists;

public enum SweepState
{
    Queued,
    Running,
    Completed,
    Failed,
}

/// <summary>
/// One blocklist sweep (a check run). It is split into chunks of targets; each chunk is a Quartz job,
/// and progress is the queries of the chunks done. The plan (assets and lists) is fixed when the run
/// starts, so every instance computes the same chunks.
/// </summary>
public sealed class SweepRun
{
    public long Id { get; set; }

    public SweepState State { get; set; }

    /// <summary>1 while queued or running, null after: a unique index makes "one active sweep" a database fact.</summary>
    public int? ActiveMarker { get; set; }

    public string Trigger { get; set; } = "manual";

    public string? RequestedBy { get; set; }

    /// <summary>Asset ids asked for; empty means all.</summary>
    public string AssetFilterJson { get; set; } = "[]";

    public string PlanJson { get; set; } = "{}";

    public int ChunksTotal { get; set; }

    public int ChunksDone { get; set; }

    public long Total { get; set; }

    public long Done { get; set; }

    public long Listed { get; set; }

    public long Unknown { get; set; }

    public string? Notes { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>
    /// Set in the transaction that counts this completed run as a check of every incident it
    /// covered (clean-check streaks, severity): each run is applied once.
    /// </summary>
    public DateTimeOffset? IncidentsAppliedAt { get; set; }
}

public sealed class SweepChunk
{
    public long RunId { get; set; }

    public int Index { get; set; }

    public bool Done { get; set; }

    public long Queries { get; set; }

    public long Listed { get; set; }

    public long Unknown { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>Latest counts per (asset, list): what the listings view colours, bounded by assets × lists.</summary>
public sealed class AssetListStatus
{
    public long AssetId { get; set; }

    public long BlocklistId { get; set; }

    public long RunId { get; set; }

    public long Queried { get; set; }

    public long Listed { get; set; }

    public long Unknown { get; set; }

    public DateTimeOffset CheckedAt { get; set; }
}

/// <summary>Queries made to a list per UTC day, against its free daily budget.</summary>
public sealed class BlocklistUsage
{
    public long BlocklistId { get; set; }

    public DateOnly Day { get; set; }

    public long Queries { get; set; }
}

internal sealed class SweepConfiguration :
    IEntityTypeConfiguration<SweepRun>, IEntityTypeConfiguration<SweepChunk>,
    IEntityTypeConfiguration<AssetListStatus>, IEntityTypeConfiguration<BlocklistUsage>
{
    public void Configure(EntityTypeBuilder<SweepRun> builder)
    {
        builder.Property(r => r.Trigger).HasMaxLength(32);
        builder.Property(r => r.RequestedBy).HasMaxLength(256);
        builder.Property(r => r.Notes).HasMaxLength(4000);
        builder.Property(r => r.Error).HasMaxLength(2000);
        builder.HasIndex(r => r.ActiveMarker).IsUnique();
        builder.HasIndex(r => new { r.State, r.IncidentsAppliedAt });
    }

    public void Configure(EntityTypeBuilder<SweepChunk> builder) => builder.HasKey(c => new { c.RunId, c.Index });

    public void Configure(EntityTypeBuilder<AssetListStatus> builder) => builder.HasKey(s => new { s.AssetId, s.BlocklistId });

    public void Configure(EntityTypeBuilder<BlocklistUsage> builder) => builder.HasKey(u => new { u.BlocklistId, u.Day });
}
