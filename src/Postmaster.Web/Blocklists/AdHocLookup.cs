using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Assets;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// Asks every enabled list about one value, now, storing no answer. Only lists that passed their
/// health check are asked: a quarantined or refusing list answers <c>unknown</c> with the reason,
/// never "not listed". A list whose last health check is older than
/// <see cref="BlocklistOptions.HealthMaxAgeMinutes"/> has its test points run first, and that verdict
/// is recorded on the list as a sweep's would be.
/// </summary>
public sealed class AdHocLookup(
    PostmasterDbContext db,
    SweepLists sweepLists,
    DnsblSweeper sweeper,
    ListHealthChecks healthChecks,
    IOptions<BlocklistOptions> options,
    TimeProvider time)
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
        var rows = await db.Blocklists.Where(b => b.Enabled).ToListAsync(ct);
        var applicable = rows.Select(r => (Row: r, List: sweepLists.For(r))).Where(l => target.AppliesTo(l.List.Definition)).ToList();

        var now = time.GetUtcNow();
        var maxAge = TimeSpan.FromMinutes(options.Value.HealthMaxAgeMinutes);
        await healthChecks.CheckAsync(applicable.Select(l => l.Row).Where(r => ListHealthChecks.IsStale(r, now, maxAge)).ToList(), ct);

        var trusted = applicable.Where(l => l.Row.Health == ListHealthState.Healthy).Select(l => l.List).ToList();
        var answers = await sweeper.LookupAsync(target, trusted, ct);
        var listed = answers.Where(a => a.Verdict.Outcome == ListingOutcome.Listed).ToList();
        var reasons = (await sweeper.ReasonsAsync(listed, ct)).ToDictionary(c => c.Result, c => c.Reason);
        var results = answers.Select(r => new LookupListResult(
                r.List.Definition.Zone, r.List.Definition.Name, LookupListResult.OutcomeName(r.Verdict.Outcome),
                r.Verdict.Codes.Select(c => c.ToString()).ToArray(), r.Verdict.Categories.ToArray(),
                reasons.GetValueOrDefault(r) ?? r.Verdict.UnknownReason, r.Verdict.UnknownReason))
            .Concat(applicable.Where(l => l.Row.Health != ListHealthState.Healthy).Select(l => NotAsked(l.Row, l.List.Definition)));
        return new Result(new LookupResponse(asset.Value, results.OrderBy(r => r.Name, StringComparer.Ordinal).ToList()), null);
    }

    /// <summary>A list whose answers are not trusted: unknown, with why and what to do (its health detail says both).</summary>
    private static LookupListResult NotAsked(Blocklist row, BlocklistDefinition definition)
    {
        var why = row.Health switch
        {
            ListHealthState.ResolverRefused => "refuses our resolver",
            ListHealthState.Quarantined => "is quarantined",
            _ => "has not passed a health check",
        };
        var reason = $"Not asked: {definition.Name} {why}, so its answer is unknown, not clean. {row.HealthDetail}".Trim();
        var detail = string.Create(CultureInfo.InvariantCulture, $"health {BlocklistResponse.HealthName(row.Health)}, checked {row.HealthCheckedAt?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");
        return new LookupListResult(definition.Zone, definition.Name, LookupListResult.OutcomeName(ListingOutcome.Unknown), [], [], reason, detail);
    }
}
