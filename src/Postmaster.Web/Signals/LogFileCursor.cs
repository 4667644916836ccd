using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Signals;

/// <summary>
/// Where the log follower stopped in a file. The fingerprint (a hash of the file's first bytes)
/// tells a rotated or replaced file from the one the offset belongs to.
/// </summary>
public sealed class LogFileCursor
{
    public required string Path { get; set; }

    public long Offset { get; set; }

    public string Fingerprint { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class LogFileCursorConfiguration : IEntityTypeConfiguration<LogFileCursor>
{
    public void Configure(EntityTypeBuilder<LogFileCursor> builder)
    {
        builder.HasKey(c => c.Path);
        builder.Property(c => c.Path).HasMaxLength(1000);
        builder.Property(c => c.Fingerprint).HasMaxLength(64);
    }
}
