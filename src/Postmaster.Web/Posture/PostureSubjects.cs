using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Assets;
using Postmaster.Core.Posture;
using Postmaster.Web.Assets;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Posture;

/// <summary>
/// Chooses what each asset is checked with, from the inventory around it. Addresses and domains
/// pair up for SPF when they share a pool, or when either has none: a team with one pool (or
/// none) evaluates every domain for every address; an ESP keeps customers apart by pool.
/// </summary>
public sealed class PostureSubjects(PostmasterDbContext db, IOptions<PostureOptions> options)
{
    /// <summary>The inventory as posture needs it, read once per run.</summary>
    public sealed record Inventory(IReadOnlyList<Asset> Assets, IReadOnlyDictionary<long, string> Selectors)
    {
        public IReadOnlyList<string> HeloNames => [.. Assets.Where(a => a.Kind == AssetKind.Helo).Select(a => a.Value)];
    }

    public async Task<Inventory> LoadAsync(CancellationToken ct)
    {
        var assets = await db.Assets.AsNoTracking().OrderBy(a => a.Kind).ThenBy(a => a.Value).ToListAsync(ct);
        var selectors = await db.AssetPostures.AsNoTracking().Where(p => p.DkimSelectors != null)
            .Select(p => new { p.AssetId, p.DkimSelectors }).ToDictionaryAsync(p => p.AssetId, p => p.DkimSelectors!, ct);
        return new Inventory(assets, selectors);
    }

    /// <summary>The subject for an asset value; <paramref name="pool"/> and <paramref name="assetId"/> are null for a value outside the inventory.</summary>
    public PostureSubject For(AssetValue value, string? pool, long? assetId, Inventory inventory)
    {
        var o = options.Value;
        var related = inventory.Assets.Where(a => a.Id != assetId && Related(pool, a.Pool)).ToList();
        switch (value.Kind)
        {
            case AssetKind.Ip:
            case AssetKind.Range:
                {
                    var domains = related.Where(a => a.Kind == AssetKind.Domain).Select(a => a.Value).ToList();
                    var addresses = PostureAssessor.Sample(value, o.AddressesPerRange);
                    return new PostureSubject(value.Kind, value.Value, addresses, value.AddressCount, inventory.HeloNames,
                        [.. domains.Take(o.SpfPairs)], domains.Count, [], 0, []);
                }

            case AssetKind.Domain:
                {
                    var senders = related.Where(a => a.Kind is AssetKind.Ip or AssetKind.Range).ToList();
                    var selectors = assetId is { } id && inventory.Selectors.TryGetValue(id, out var set)
                        ? set.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        : [];
                    return new PostureSubject(value.Kind, value.Value, [], 0, inventory.HeloNames, [], 0,
                        SendingAddresses(senders, o), senders.Sum(a => a.AddressCount), selectors);
                }

            default:
                return new PostureSubject(value.Kind, value.Value, [], 0, inventory.HeloNames, [], 0, [], 0, []);
        }
    }

    /// <summary>Single addresses first, then each range's spread sample, up to <see cref="PostureOptions.SpfPairs"/>.</summary>
    private static List<IPAddress> SendingAddresses(List<Asset> senders, PostureOptions o)
    {
        var single = senders.Where(a => a.Kind == AssetKind.Ip).Select(a => IPAddress.Parse(a.Value));
        var sampled = senders.Where(a => a.Kind == AssetKind.Range).SelectMany(a => PostureAssessor.Sample(a.ToValue(), o.AddressesPerRange));
        return [.. single.Concat(sampled).Take(o.SpfPairs)];
    }

    private static bool Related(string? pool, string? other) =>
        pool is null || other is null || string.Equals(pool, other, StringComparison.OrdinalIgnoreCase);
}
