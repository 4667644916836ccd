using System.Net;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>
/// The asset group an incident is about: the most specific inventory asset holding a value (an IP
/// asset inside a range it also holds wins over the range), or the value on its own, marked "not
/// in inventory". One naming for listings (which carry an asset id) and rejections (a raw source IP).
/// </summary>
public sealed record AssetGroup(string Key, long? AssetId, string Value, string? Label, bool InInventory, long Size)
{
    public const string UnknownSource = "(unknown source)";

    public static AssetGroup Outside(string value) => value.Length == 0
        ? new AssetGroup("source:unknown", null, UnknownSource, null, false, 1)
        : new AssetGroup($"{(IPAddress.TryParse(value, out _) ? "ip" : "domain")}:{value}", null, value, null, false, 1);
}

public sealed class AssetGroups(PostmasterDbContext db)
{
    private List<(IPNetwork Network, AssetGroup Group)>? _ranges;

    /// <summary>The group of each value; values are canonical (as listings and episodes store them).</summary>
    public async Task<Dictionary<string, AssetGroup>> ResolveAsync(IReadOnlyCollection<string> values, CancellationToken ct)
    {
        var groups = new Dictionary<string, AssetGroup>(StringComparer.Ordinal);
        var exact = new List<string>();
        foreach (var chunk in values.Where(v => v.Length > 0).Distinct().Chunk(500))
        {
            var texts = chunk.ToList();
            foreach (var asset in await db.Assets.AsNoTracking()
                         .Where(a => a.Kind != AssetKind.Range && texts.Contains(a.Value))
                         .OrderBy(a => a.Kind) // a domain that is also a HELO name: the domain asset
                         .ToListAsync(ct))
            {
                groups.TryAdd(asset.Value, Of(asset));
            }
        }

        foreach (var value in values)
        {
            if (groups.ContainsKey(value))
            {
                continue;
            }

            if (IPAddress.TryParse(value, out var ip) && await InRangeAsync(ip, ct) is { } range)
            {
                groups[value] = range;
                continue;
            }

            groups[value] = AssetGroup.Outside(value);
        }

        return groups;
    }

    public static AssetGroup Of(Assets.Asset asset) =>
        new($"asset:{asset.Id}", asset.Id, asset.Value, asset.Label, true, Math.Max(1, asset.AddressCount));

    private async Task<AssetGroup?> InRangeAsync(IPAddress ip, CancellationToken ct)
    {
        _ranges ??= (await db.Assets.AsNoTracking().Where(a => a.Kind == AssetKind.Range).ToListAsync(ct))
            .Select(a => (Network: IPNetwork.Parse(a.Value), Group: Of(a)))
            .OrderByDescending(r => r.Network.PrefixLength) // the smallest range holding the address wins
            .ToList();
        foreach (var (network, group) in _ranges)
        {
            if (network.Contains(ip))
            {
                return group;
            }
        }

        return null;
    }
}
