using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

/// <summary>Asks every enabled list about one value, now, storing nothing.</summary>
public sealed class AdHocLookup(PostmasterDbContext db, SweepLists sweepLists, DnsblSweeper sweeper)
{
    public sealed record Result(LookupResponse? Response, string? Error);

    public async Task<Result> RunAsync(string? value, CancellationToken ct)
    {
        var parsed = AssetValue.Parse(value);
        if (parsed.Asset is not { } asset)
        {
            return new Result(null, parsed.Error);
        }

        if (asset.Kind == AssetKind.Range)
        {
            return new Result(null, "Look up one address at a time; add the range to the inventory to sweep all of it.");
        }

        var target = asset.Kind == AssetKind.Ip ? SweepTarget.ForAddress(0, IPAddress.Parse(asset.Value)) : SweepTarget.ForDomain(0, asset.Value);
        var rows = await db.Blocklists.AsNoTracking().Where(b => b.Enabled).ToListAsync(ct);
        var answers = await sweeper.LookupAsync(target, rows.Select(sweepLists.For).ToList(), ct);
        var listed = answers.Where(a => a.Verdict.Outcome == ListingOutcome.Listed).ToList();
        var reasons = (await sweeper.ReasonsAsync(listed, ct)).ToDictionary(c => c.Result, c => c.Reason);
        var results = answers.Select(r => new LookupListResult(
            r.List.Definition.Zone, r.List.Definition.Name, r.Verdict.Outcome.ToString().ToLowerInvariant(),
            r.Verdict.Codes.Select(c => c.ToString()).ToArray(), r.Verdict.Categories.ToArray(), reasons.GetValueOrDefault(r), r.Verdict.UnknownReason));
        return new Result(new LookupResponse(asset.Value, results.OrderBy(r => r.Name, StringComparer.Ordinal).ToList()), null);
    }
}
