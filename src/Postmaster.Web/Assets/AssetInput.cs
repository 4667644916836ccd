using Postmaster.Core.Assets;

namespace Postmaster.Web.Assets;

/// <summary>What a person or API client asks to add.</summary>
public sealed record AssetInput(string? Value, string? Kind = null, string? Label = null, string? Pool = null, string? Owner = null);

/// <summary>The outcome of adding one asset: exactly one of the three.</summary>
public sealed record AssetAddResult(Asset? Added, string? Invalid, Asset? DuplicateOf)
{
    public static AssetAddResult Ok(Asset asset) => new(asset, null, null);

    public static AssetAddResult Bad(string why) => new(null, why, null);

    public static AssetAddResult Duplicate(Asset existing) => new(null, null, existing);
}

/// <summary>One line of a bulk paste and what became of it.</summary>
public sealed record BulkLineResult(int Line, string Input, string Outcome, string Message, long? AssetId);

internal static class AssetKindNames
{
    public static string ToApi(AssetKind kind) => kind switch
    {
        AssetKind.Ip => "ip",
        AssetKind.Range => "range",
        AssetKind.Domain => "domain",
        _ => "helo",
    };

    public static bool TryParse(string? text, out AssetKind? kind)
    {
        kind = text?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "ip" => AssetKind.Ip,
            "range" or "cidr" => AssetKind.Range,
            "domain" => AssetKind.Domain,
            "helo" => AssetKind.Helo,
            _ => (AssetKind?)(AssetKind)(-1),
        };
        return kind is null || Enum.IsDefined(kind.Value);
    }
}
