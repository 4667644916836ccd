using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Blocklists;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// A blocklist in this installation's catalog: a seeded catalog entry or a custom one. The facts
/// (zone, codes, test points, policy) are kept as the catalog's JSON shape, so catalog upgrades and
/// user edits work on the same document; <see cref="UserEdited"/> protects edits from upgrades.
/// </summary>
public sealed class Blocklist
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public long Id { get; set; }

    public required string Slug { get; set; }

    public required string Name { get; set; }

    public required string Zone { get; set; }

    public required string DefinitionJson { get; set; }

    public bool Enabled { get; set; }

    /// <summary>Added by a user rather than seeded from the catalog.</summary>
    public bool Custom { get; set; }

    /// <summary>A user changed the facts: catalog upgrades leave this entry alone.</summary>
    public bool UserEdited { get; set; }

    public int CatalogVersion { get; set; }

    /// <summary>Key for the keyed zone (Spamhaus DQS, Abusix). A secret: never sent back by the API.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Queries per second this installation allows itself against the list; null for no limit.</summary>
    public int? MaxQueriesPerSecond { get; set; }

    public ListHealthState Health { get; set; }

    public string? HealthDetail { get; set; }

    public DateTimeOffset? HealthCheckedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public BlocklistDefinition Definition() =>
        BlocklistDefinitionReader.Read(JsonSerializer.Deserialize<CatalogEntry>(DefinitionJson, Json)!, $"blocklist {Slug}");

    public void SetDefinition(BlocklistDefinition definition)
    {
        DefinitionJson = JsonSerializer.Serialize(BlocklistDefinitionReader.Write(definition), Json);
        Name = definition.Name;
        Zone = definition.Zone;
    }

    /// <summary>The zone queries go to: the keyed one when a key is set.</summary>
    public string QueryZone(BlocklistDefinition definition) => definition.QueryZone(AccessKey);
}

internal sealed class BlocklistConfiguration : IEntityTypeConfiguration<Blocklist>
{
    public void Configure(EntityTypeBuilder<Blocklist> builder)
    {
        builder.Property(b => b.Slug).HasMaxLength(64);
        builder.Property(b => b.Name).HasMaxLength(200);
        builder.Property(b => b.Zone).HasMaxLength(255);
        builder.Property(b => b.AccessKey).HasMaxLength(200);
        builder.Property(b => b.HealthDetail).HasMaxLength(1000);
        builder.HasIndex(b => b.Slug).IsUnique();
        builder.HasIndex(b => b.Zone).IsUnique();
    }
}
