using System.Net;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Web.Assets;

/// <summary>
/// The block episodes (rejections in mail logs) whose source IP lies in an asset: the address
/// itself, or the addresses of a range. Domains and HELO names send from no address of their own,
/// so they have none. Bounded: the newest <see cref="Shown"/>.
/// </summary>
public static class AssetEpisodes
{
    public const int Shown = 50;

    // Episodes of a wider range are read by their first two octets' text and then checked
    // address by address; this many candidates bound the read.
    private const int Candidates = 2000;

    /// <summary>The newest episodes inside the asset, and whether there may be more than shown.</summary>
    public static async Task<(IReadOnlyList<BlockEpisode> Episodes, bool More)> ForAsync(PostmasterDbContext db, Asset asset, CancellationToken ct)
    {
        var episodes = db.BlockEpisodes.AsNoTracking();
        List<BlockEpisode> rows;
        if (asset.Kind == AssetKind.Ip)
        {
            rows = await episodes.Where(e => e.SourceIp == asset.Value).OrderByDescending(e => e.Id).Take(Shown + 1).ToListAsync(ct);
        }
        else if (asset.Kind == AssetKind.Range && IPNetwork.TryParse(asset.Value, out var range))
        {
            if (range.PrefixLength >= 24)
            {
                // At most 256 addresses: asked for by value, exactly.
                var addresses = asset.ToValue().Addresses().Select(a => a.ToString()).ToList();
                rows = await episodes.Where(e => addresses.Contains(e.SourceIp)).OrderByDescending(e => e.Id).Take(Shown + 1).ToListAsync(ct);
            }
            else
            {
                // Up to a /16 (the largest range an asset may be): the first two octets as text narrow it down.
                var octets = range.BaseAddress.ToString().Split('.');
                var prefix = $"{octets[0]}.{octets[1]}.";
                var candidates = await episodes.Where(e => e.SourceIp.StartsWith(prefix)).OrderByDescending(e => e.Id).Take(Candidates).ToListAsync(ct);
                rows = candidates.Where(e => IPAddress.TryParse(e.SourceIp, out var ip) && range.Contains(ip)).Take(Shown + 1).ToList();
                if (candidates.Count == Candidates && rows.Count <= Shown)
                {
                    return (rows, true); // the read was cut: older episodes inside the range may exist
                }
            }
        }
        else
        {
            return ([], false);
        }

        return (rows.Take(Shown).ToList(), rows.Count > Shown);
    }
}
