using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Audit;

/// <summary>Who did what to which thing, when, and from which address.</summary>
public sealed class AuditEntry
{
    public const int MaxActorLength = 300;
    public const int MaxActionLength = 64;
    public const int MaxTargetLength = 300;
    public const int MaxDetailLength = 1000;
    public const int MaxAddressLength = 64;

    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary><c>user:&lt;email&gt;</c>, <c>key:&lt;name&gt;</c>, <c>system</c>, or <c>anonymous</c> (a failed sign-in).</summary>
    public required string Actor { get; set; }

    /// <summary>What happened, one of <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }

    public string? Target { get; set; }

    public string? Detail { get; set; }

    /// <summary>The client's address as the app saw it (after trusted proxies' forwarded headers).</summary>
    public string? ClientAddress { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(e => e.Actor).HasMaxLength(AuditEntry.MaxActorLength);
        builder.Property(e => e.Action).HasMaxLength(AuditEntry.MaxActionLength);
        builder.Property(e => e.Target).HasMaxLength(AuditEntry.MaxTargetLength);
        builder.Property(e => e.Detail).HasMaxLength(AuditEntry.MaxDetailLength);
        builder.Property(e => e.ClientAddress).HasMaxLength(AuditEntry.MaxAddressLength);

        // Retention deletes by age; pages go newest first by id.
        builder.HasIndex(e => e.At);
    }
}
