using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Assets;

namespace Postmaster.Web.Assets;

/// <summary>An inventory entry: an address, range, domain or HELO name the team sends from or as.</summary>
public sealed class Asset
{
    public const int MaxLabelLength = 100;
    public const int MaxOwnerLength = 200;

    public long Id { get; set; }

    public AssetKind Kind { get; set; }

    /// <summary>Canonical form: compressed IPv6, network address of a range, punycode lower-case names.</summary>
    public required string Value { get; set; }

    public string? Label { get; set; }

    public string? Pool { get; set; }

    public string? Owner { get; set; }

    public long AddressCount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public AssetValue ToValue() => new(Kind, Value);
}

internal sealed class AssetConfiguration : IEntityTypeConfiguration<Asset>
{
    public void Configure(EntityTypeBuilder<Asset> builder)
    {
        builder.Property(a => a.Value).HasMaxLength(300);
        builder.Property(a => a.Label).HasMaxLength(Asset.MaxLabelLength);
        builder.Property(a => a.Pool).HasMaxLength(Asset.MaxLabelLength);
        builder.Property(a => a.Owner).HasMaxLength(Asset.MaxOwnerLength);

        // The same value can be both a sending domain and a HELO name, but not twice the same kind.
        builder.HasIndex(a => new { a.Kind, a.Value }).IsUnique();
        builder.HasIndex(a => a.Pool);
    }
}
