using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Incidents;

/// <summary>
/// One line of an incident's timeline: when, what (<see cref="Kind"/> as the API spells it), who
/// (<c>system</c>, <c>user:&lt;email&gt;</c>, <c>key:&lt;name&gt;</c>) and a sentence. Many values
/// changing the same way in one run fold into one line (<see cref="MergeKey"/>, <see cref="Count"/>):
/// "65,536 addresses listed on zen.spamhaus.org", not 65,536 lines.
/// </summary>
public sealed class IncidentTimelineEntry
{
    public const int MaxDetailLength = 2000;

    public long Id { get; set; }

    public long IncidentId { get; set; }

    public DateTimeOffset At { get; set; }

    public string Kind { get; set; } = "";

    public string Actor { get; set; } = "system";

    public string Detail { get; set; } = "";

    /// <summary>How many values this line stands for.</summary>
    public int Count { get; set; } = 1;

    /// <summary>Lines with the same key fold together (kind, list or receiver, and run or batch); null never folds.</summary>
    public string? MergeKey { get; set; }
}

internal sealed class IncidentTimelineConfiguration : IEntityTypeConfiguration<IncidentTimelineEntry>
{
    public void Configure(EntityTypeBuilder<IncidentTimelineEntry> builder)
    {
        builder.Property(t => t.Kind).HasMaxLength(32);
        builder.Property(t => t.Actor).HasMaxLength(300);
        builder.Property(t => t.Detail).HasMaxLength(IncidentTimelineEntry.MaxDetailLength);
        builder.Property(t => t.MergeKey).HasMaxLength(200);
        builder.HasOne<Incident>().WithMany().HasForeignKey(t => t.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => new { t.IncidentId, t.Id });
        builder.HasIndex(t => t.At);
    }
}
