using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>An API key. Only the SHA-256 of the secret is stored; the secret is shown once.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The first characters of the secret, so a person can tell keys apart.</summary>
    public required string Prefix { get; set; }

    public required string Hash { get; set; }

    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    /// <summary>
    /// The user the key belongs to: it acts with at most that user's current role, and stops working
    /// when the user is removed. Null only for keys that predate owners and await adoption at start-up.
    /// </summary>
    public string? OwnerId { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Why the key stopped working, told to whoever still uses it (401).</summary>
    public string? RevokedReason { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.Hash).HasMaxLength(64);
        builder.Property(k => k.Role).HasMaxLength(32);
        builder.Property(k => k.CreatedBy).HasMaxLength(256);
        builder.Property(k => k.RevokedReason).HasMaxLength(300);
        builder.HasIndex(k => k.Hash).IsUnique();

        // Removing a user revokes their keys first (with the reason); the column then just lets go.
        builder.HasOne<PostmasterUser>().WithMany().HasForeignKey(k => k.OwnerId).OnDelete(DeleteBehavior.SetNull);
    }
}
