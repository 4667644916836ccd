using System.Net;
using System.Threading.RateLimiting;

namespace Postmaster.Core.Blocklists;

/// <summary>One address or domain to check, and the inventory entry it belongs to.</summary>
public sealed record SweepTarget(long AssetId, string Value, IPAddress? Address)
{
    public static SweepTarget ForAddress(long assetId, IPAddress address) => new(assetId, address.ToString(), address);

    public static SweepTarget ForDomain(long assetId, string domain) => new(assetId, domain, null);

    public bool AppliesTo(BlocklistDefinition list) => Address is null
        ? list.Lists == ListedThing.Domain
        : list.Lists == ListedThing.Ip && (Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || list.Ipv6);

    public string QueryName(string zone) => Address is null ? DnsblQueryName.For(Value, zone) : DnsblQueryName.For(Address, zone);
}

/// <summary>A list as a sweep uses it: its definition and the zone actually queried (keyed or public).</summary>
public sealed record SweepList(BlocklistDefinition Definition, string Zone, RateLimiter? RateLimiter = null);

public sealed record SweepResult(SweepTarget Target, SweepList List, BlocklistAnswer Answer, BlocklistVerdict Verdict);

/// <summary>
/// Asks every applicable list about every target with bounded concurrency and per-list rate
/// limits. Targets are consumed lazily, so memory does not grow with the size of a range.
/// </summary>
public sealed class DnsblSweeper(DnsblResolver resolver, int concurrency = 64)
{
    public async Task RunAsync(
        IEnumerable<SweepTarget> targets,
        IReadOnlyList<SweepList> lists,
        Func<SweepResult, ValueTask> onResult,
        CancellationToken cancellationToken)
    {
        var queries = targets.SelectMany(t => lists.Where(l => t.AppliesTo(l.Definition)).Select(l => (Target: t, List: l)));
        await Parallel.ForEachAsync(
            queries,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (query, ct) =>
            {
                if (query.List.RateLimiter is { } limiter)
                {
                    using var lease = await limiter.AcquireAsync(1, ct);
                }

                var answer = await resolver.QueryAsync(query.Target.QueryName(query.List.Zone), ct);
                var verdict = BlocklistAnswerDecoder.Decode(query.List.Definition, answer);
                await onResult(new SweepResult(query.Target, query.List, answer, verdict));
            });
    }

    /// <summary>Asks again: a change of listing state is only recorded when a second answer agrees.</summary>
    public async Task<BlocklistVerdict> ConfirmAsync(SweepTarget target, SweepList list, CancellationToken cancellationToken)
    {
        var answer = await resolver.QueryAsync(target.QueryName(list.Zone), cancellationToken);
        return BlocklistAnswerDecoder.Decode(list.Definition, answer);
    }

    /// <summary>Runs the list's test points and judges its health.</summary>
    public async Task<ListHealth> CheckHealthAsync(SweepList list, CancellationToken cancellationToken)
    {
        var points = list.Definition.EffectiveTestPoints();
        var results = new List<TestPointResult>();
        foreach (var (point, expectListed) in points.Listed.Select(p => (p, true)).Concat(points.NotListed.Select(p => (p, false))))
        {
            var answer = await resolver.QueryAsync(DnsblQueryName.ForTestPoint(point, list.Zone), cancellationToken);
            results.Add(new TestPointResult(point, expectListed, answer, BlocklistAnswerDecoder.Decode(list.Definition, answer)));
        }

        return ListHealthEvaluator.Evaluate(list.Definition, results);
    }

    public Task<string?> ReasonAsync(SweepTarget target, SweepList list, CancellationToken cancellationToken) =>
        resolver.QueryReasonAsync(target.QueryName(list.Zone), cancellationToken);
}
