using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Postmaster.Core.Blocklists.Udp;

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
public sealed record SweepList(BlocklistDefinition Definition, string Zone, RateLimiter? RateLimiter = null)
{
    // Identity, not value equality: sweeps key dictionaries by list for every answer, and a record's
    // equality would hash the whole definition (names, procedures, code tables) each time.
    public bool Equals(SweepList? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);
}

public sealed record SweepResult(SweepTarget Target, SweepList List, BlocklistAnswer Answer, BlocklistVerdict Verdict);

/// <summary>
/// Asks every applicable list about every target: the bulk A queries through a
/// <see cref="UdpQueryPipeline{TState}"/> (<paramref name="concurrency"/> in flight, per-list rate limits),
/// confirmations, TXT and health checks through DnsClient. Targets are consumed lazily, so memory
/// does not grow with the size of a range. <paramref name="concurrency"/> bounds the queries in flight
/// of all runs together.
/// </summary>
public sealed class DnsblSweeper(DnsblResolver resolver, int concurrency = 64) : IDisposable
{
    private readonly QueryWindow _window = new(concurrency);

    // One sweep chunk asks at a time, with the whole window: chunks running side by side each had a
    // sending and a receiving thread, and on a small machine those threads spent more CPU waking
    // each other than asking. The chunks' other phases (loading, confirming, committing) still overlap.
    private readonly SemaphoreSlim _turn = new(1, 1);

    public void Dispose() => _turn.Dispose();

    /// <summary>A sweep chunk's queries: waits for the DNS turn, then asks them all.</summary>
    public async Task RunAsync(
        IEnumerable<SweepTarget> targets,
        IReadOnlyList<SweepList> lists,
        Action<SweepResult> onResult,
        CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            await AskAsync(targets, lists, onResult, cancellationToken);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>One value against the given lists, now, beside any running sweep (an ad-hoc lookup must not queue behind one).</summary>
    public async Task<IReadOnlyList<SweepResult>> LookupAsync(SweepTarget target, IReadOnlyList<SweepList> lists, CancellationToken cancellationToken)
    {
        var results = new System.Collections.Concurrent.ConcurrentBag<SweepResult>();
        await AskAsync([target], lists, results.Add, cancellationToken);
        return [.. results];
    }

    private async Task AskAsync(IEnumerable<SweepTarget> targets, IReadOnlyList<SweepList> lists, Action<SweepResult> onResult, CancellationToken cancellationToken)
    {
        var queries = targets.SelectMany(t => lists
            .Where(l => t.AppliesTo(l.Definition))
            .Select(l => new PipelineQuery<(SweepTarget Target, SweepList List)>(t.QueryName(l.Zone), l.RateLimiter, (t, l))));
        using var pipeline = new UdpQueryPipeline<(SweepTarget Target, SweepList List)>(
            resolver.PipelineOptions(concurrency) with { SharedWindow = _window }, resolver.QueryAsync);
        await pipeline.RunAsync(
            queries,
            (query, answer) => onResult(new SweepResult(query.Target, query.List, answer, BlocklistAnswerDecoder.Decode(query.List.Definition, answer))),
            cancellationToken);
    }

    /// <summary>Confirms many results at once (DnsClient, bounded): a change of listing state is only recorded when a second answer agrees.</summary>
    public Task<(SweepResult Result, BlocklistVerdict Confirmed, string? Reason)[]> ConfirmAllAsync(
        IReadOnlyCollection<SweepResult> results, CancellationToken cancellationToken) =>
        ForEachAsync(results, async (result, ct) =>
        {
            var verdict = await ConfirmAsync(result.Target, result.List, ct);
            var reason = verdict.Outcome == ListingOutcome.Listed ? await ReasonAsync(result.Target, result.List, ct) : null;
            return (result, verdict, reason);
        }, cancellationToken);

    /// <summary>The TXT reasons of listings already seen twice (no confirmation query), many at once.</summary>
    public Task<(SweepResult Result, string? Reason)[]> ReasonsAsync(IReadOnlyCollection<SweepResult> results, CancellationToken cancellationToken) =>
        ForEachAsync(results, async (result, ct) => (result, await ReasonAsync(result.Target, result.List, ct)), cancellationToken);

    private async Task<T[]> ForEachAsync<T>(IReadOnlyCollection<SweepResult> results, Func<SweepResult, CancellationToken, Task<T>> ask, CancellationToken cancellationToken)
    {
        var answers = new T[results.Count];
        await Parallel.ForEachAsync(
            results.Select((r, i) => (Result: r, Index: i)),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Min(concurrency, 32), CancellationToken = cancellationToken },
            async (item, ct) => answers[item.Index] = await ask(item.Result, ct));
        return answers;
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
