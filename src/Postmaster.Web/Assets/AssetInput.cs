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

    /// <summary>True with null for "no kind given" (infer it); false for a name that is not a kind.</summary>
    public static bool TryParse(string? text, out AssetKind? kind)
    {
        (var known, kind) = text?.Trim().ToLowerInvariant() switch
        {
            null or "" => (true, (AssetKind?)null),
            "ip" => (true, AssetKind.Ip),
            "range" or "cidr" => (true, AssetKind.Range),
            "domain" => (true, AssetKind.Domain),
            "helo" => (true, AssetKind.Helo),
            _ => (false, null),
        };
        return known;
    }
}
