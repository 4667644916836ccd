using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Core.Posture;
using Postmaster.Web.Assets;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Posture;

/// <summary>One posture fact for a draft or an incident page: which value it is about, the check, how it came out, what was found and what to do.</summary>
public sealed record PostureFact(string Value, string Name, string Status, string Detail, string? Fix, DateTimeOffset CheckedAt);

/// <summary>Reads stored posture: an asset's checklist, and the facts a request draft for an incident's asset group needs.</summary>
public sealed class PostureQueries(PostmasterDbContext db)
{
    /// <summary>Sending domains whose facts go with an address's (the ones whose SPF passes it, else those of its pool).</summary>
    public const int DomainsWithAddress = 5;

    /// <summary>The stored result of an asset; null when it was never checked (selectors alone are no result).</summary>
    public async Task<PostureView?> ReadAsync(Asset asset, CancellationToken ct)
    {
        var row = await db.AssetPostures.AsNoTracking().FirstOrDefaultAsync(p => p.AssetId == asset.Id, ct);
        return row is null ? null : new PostureView(asset.Value, asset.Id, row.CheckedAt, row.ReadChecks(), row.Selectors(), row.PassDomains());
    }

    /// <summary>
    /// The stored posture facts of an incident's asset group, for request drafts: the asset's own
    /// checks and, for an address or range, those of up to <see cref="DomainsWithAddress"/> sending
    /// domains (the ones whose SPF passes it, else the domains of its pool), each fact naming its
    /// value. Only stored results: empty for a group outside the inventory (<paramref name="assetId"/>
    /// null) or never checked. Nothing is looked up here; <c>POST /api/posture/{asset}/refresh</c>
    /// or the schedule does that.
    /// </summary>
    public async Task<IReadOnlyList<PostureFact>> ForAssetAsync(long? assetId, string value, CancellationToken ct)
    {
        if (assetId is not { } id || await db.Assets.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is not { } asset)
        {
            return [];
        }

        var facts = new List<PostureFact>();
        var own = await db.AssetPostures.AsNoTracking().FirstOrDefaultAsync(p => p.AssetId == id, ct);
        if (own?.CheckedAt is not { } checkedAt)
        {
            return [];
        }

        facts.AddRange(own.ReadChecks().Select(c => Fact(asset.Value, c, checkedAt)));
        if (asset.Kind is AssetKind.Ip or AssetKind.Range)
        {
            var names = own.PassDomains().Take(DomainsWithAddress).ToList();
            var domains = await db.Assets.AsNoTracking().Where(a => a.Kind == AssetKind.Domain && (names.Contains(a.Value)
                    || (names.Count == 0 && (asset.Pool == null || a.Pool == null || a.Pool == asset.Pool))))
                .OrderBy(a => a.Value).Take(DomainsWithAddress).ToListAsync(ct);
            var ids = domains.Select(d => d.Id).ToList();
            var rows = await db.AssetPostures.AsNoTracking().Where(p => ids.Contains(p.AssetId) && p.CheckedAt != null).ToDictionaryAsync(p => p.AssetId, ct);
            foreach (var domain in domains)
            {
                if (rows.TryGetValue(domain.Id, out var row))
                {
                    facts.AddRange(row.ReadChecks().Select(c => Fact(domain.Value, c, row.CheckedAt!.Value)));
                }
            }
        }

        return facts;
    }

    /// <summary>What <c>{asset}</c> in a posture call means: an asset id, or an IP, range or domain (in the inventory or not).</summary>
    public async Task<(Asset? Asset, AssetValue? Value, string? Error)> ResolveAsync(string text, CancellationToken ct)
    {
        var trimmed = Uri.UnescapeDataString(text).Trim(); // a range's slash arrives as %2F in a path segment
        if (trimmed.Length > 0 && trimmed.All(char.IsAsciiDigit))
        {
            return long.TryParse(trimmed, System.Globalization.CultureInfo.InvariantCulture, out var id)
                && await db.Assets.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is { } byId
                ? (byId, byId.ToValue(), null)
                : (null, null, null);
        }

        var parsed = AssetValue.Parse(trimmed);
        if (parsed.Asset is not { } value)
        {
            return (null, null, parsed.Error);
        }

        var kinds = value.Kind == AssetKind.Domain ? new[] { AssetKind.Domain, AssetKind.Helo } : [value.Kind];
        var asset = await db.Assets.AsNoTracking().Where(a => a.Value == value.Value && kinds.Contains(a.Kind)).OrderBy(a => a.Kind).FirstOrDefaultAsync(ct);
        return (asset, asset?.ToValue() ?? value, null);
    }

    private static PostureFact Fact(string value, PostureCheck check, DateTimeOffset at) =>
        new(value, check.Name, check.Status.ToApi(), check.Detail, check.Fix, at);
}
