using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Posture;
using Postmaster.Web.Assets;

namespace Postmaster.Web.Posture;

/// <summary>
/// The last posture result of one inventory asset, and the DKIM selectors set for a domain. One
/// row per asset, replaced by each refresh; removed with the asset.
/// </summary>
public sealed class AssetPosture
{
    public const int MaxSelectorsLength = 500;

    public long AssetId { get; set; }

    /// <summary>When the checks last ran; null while only selectors are set.</summary>
    public DateTimeOffset? CheckedAt { get; set; }

    /// <summary>The checklist as JSON: <c>[{"name", "status", "detail", "fix"}]</c>.</summary>
    public string? Checks { get; set; }

    /// <summary>For an address: the sending domains whose SPF passes it, comma-separated (drafts name them).</summary>
    public string? SpfPassDomains { get; set; }

    /// <summary>For a domain: the DKIM selectors its mail is signed with, comma-separated.</summary>
    public string? DkimSelectors { get; set; }

    public IReadOnlyList<PostureCheck> ReadChecks() =>
        Checks is null ? [] : (JsonSerializer.Deserialize<List<StoredCheck>>(Checks) ?? []).Select(c => c.ToCheck()).ToList();

    public void WriteChecks(IEnumerable<PostureCheck> checks) =>
        Checks = JsonSerializer.Serialize(checks.Select(StoredCheck.From).ToList());

    public IReadOnlyList<string> Selectors() => Split(DkimSelectors);

    public IReadOnlyList<string> PassDomains() => Split(SpfPassDomains);

    private static List<string> Split(string? text) =>
        string.IsNullOrEmpty(text) ? [] : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>The stored shape: the API's names, so a row reads like the answer it becomes.</summary>
    private sealed record StoredCheck(string Name, string Status, string Detail, string? Fix)
    {
        public static StoredCheck From(PostureCheck c) => new(c.Name, c.Status.ToApi(), c.Detail, c.Fix);

        public PostureCheck ToCheck() => new(Name, PostureStatusNames.Parse(Status), Detail, Fix);
    }
}

internal sealed class AssetPostureConfiguration : IEntityTypeConfiguration<AssetPosture>
{
    public void Configure(EntityTypeBuilder<AssetPosture> builder)
    {
        builder.ToTable("AssetPostures");
        builder.HasKey(p => p.AssetId);
        builder.Property(p => p.AssetId).ValueGeneratedNever();
        builder.Property(p => p.DkimSelectors).HasMaxLength(AssetPosture.MaxSelectorsLength);
        builder.Property(p => p.SpfPassDomains).HasMaxLength(4000);
        builder.HasOne<Asset>().WithOne().HasForeignKey<AssetPosture>(p => p.AssetId).OnDelete(DeleteBehavior.Cascade);
    }
}
