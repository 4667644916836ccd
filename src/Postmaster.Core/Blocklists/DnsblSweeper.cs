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
/// confirmations and TXT reasons through pipeline runs of their own, health checks through DnsClient. Targets are consumed lazily, so memory
/// does not grow with the size of a range. <paramref name="concurrency"/> bounds the queries in flight
/// of all runs together.
/// </summary>
public sealed class DnsblSweeper(DnsblResolver resolver, int concurrency = 64) : IDisposable
{
    private readonly QueryWindow _window = new(concurrency);

    // One sweep chunk asks at a time, with the whole window: chunks running side by side each had
    // their own pipeline threads, and on a small machine those threads spent more CPU competing
    // than asking. The chunks' other phases (loading, confirming, committing) still overlap.
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
        using var pipeline = new UdpQueryPipeline<Asked>(resolver.PipelineOptions(concurrency) with { SharedWindow = _window }, resolver.QueryAsync);
        await pipeline.RunAsync(
            Queries(targets, lists),
            (asked, answer) => onResult(new SweepResult(asked.Target, asked.List, answer, BlocklistAnswerDecoder.Decode(asked.List.Definition, answer))),
            cancellationToken);
    }

    /// <summary>Every (target, applicable list) pair, lazily; a plain iterator, so it is precompiled with the app (a LINQ chain over these types is not).</summary>
    private static IEnumerable<PipelineQuery<Asked>> Queries(IEnumerable<SweepTarget> targets, IReadOnlyList<SweepList> lists)
    {
        foreach (var target in targets)
        {
            for (var i = 0; i < lists.Count; i++)
            {
                var list = lists[i];
                if (target.AppliesTo(list.Definition))
                {
                    yield return new PipelineQuery<Asked>(target.QueryName(list.Zone), list.RateLimiter, new Asked(target, list));
                }
            }
        }
    }

    /// <summary>What a query was about; a class, so the pipeline runs its precompiled shared code.</summary>
    private sealed class Asked(SweepTarget target, SweepList list)
    {
        public SweepTarget Target { get; } = target;

        public SweepList List { get; } = list;
    }

    /// <summary>
    /// Confirms many results at once: a change of listing state is only recorded when a second answer
    /// agrees. The second answers come from a run of their own (fresh sockets, so new source ports,
    /// and new random IDs), so a forged datagram that slipped into the sweep's run cannot also answer
    /// the confirmation. A result that said "listed" has its TXT reason asked in the same run.
    /// </summary>
    public async Task<(SweepResult Result, BlocklistVerdict Confirmed, string? Reason)[]> ConfirmAllAsync(
        IReadOnlyCollection<SweepResult> results, CancellationToken cancellationToken)
    {
        var items = results.ToArray();
        var verdicts = new BlocklistVerdict[items.Length];
        var reasons = new string?[items.Length];
        var queries = new List<PipelineQuery<Followup>>(items.Length * 2);
        for (var i = 0; i < items.Length; i++)
        {
            var name = items[i].Target.QueryName(items[i].List.Zone);
            queries.Add(Followup.Ask(name, i, DnsType.A));
            if (items[i].Verdict.Outcome == ListingOutcome.Listed)
            {
                queries.Add(Followup.Ask(name, i, DnsType.Txt));
            }
        }

        await FollowUpAsync(queries, (followup, answer) =>
        {
            if (followup.Type == DnsType.Txt)
            {
                reasons[followup.Index] = DnsblResolver.Reason(answer);
            }
            else
            {
                verdicts[followup.Index] = BlocklistAnswerDecoder.Decode(items[followup.Index].List.Definition, answer);
            }
        }, cancellationToken);

        // A reason only goes with a listing the second answer agrees with.
        return [.. items.Select((r, i) => (r, verdicts[i], verdicts[i].Outcome == ListingOutcome.Listed ? reasons[i] : null))];
    }

    /// <summary>The TXT reasons of listings already seen twice (no confirmation query), many at once.</summary>
    public async Task<(SweepResult Result, string? Reason)[]> ReasonsAsync(IReadOnlyCollection<SweepResult> results, CancellationToken cancellationToken)
    {
        var items = results.ToArray();
        var reasons = new string?[items.Length];
        var queries = items.Select((r, i) => Followup.Ask(r.Target.QueryName(r.List.Zone), i, DnsType.Txt)).ToList();
        await FollowUpAsync(queries, (followup, answer) => reasons[followup.Index] = DnsblResolver.Reason(answer), cancellationToken);
        return [.. items.Select((r, i) => (r, reasons[i]))];
    }

    /// <summary>
    /// Follow-up queries (confirmations, reasons) in a pipeline run of their own, beside any sweep
    /// chunk asking at the time, within the same in-flight window. A list's rate limit is not applied:
    /// these are a few per listing change, as a person's lookup would be.
    /// </summary>
    private async Task FollowUpAsync(List<PipelineQuery<Followup>> queries, Action<Followup, BlocklistAnswer> onAnswer, CancellationToken cancellationToken)
    {
        if (queries.Count == 0)
        {
            return;
        }

        using var pipeline = new UdpQueryPipeline<Followup>(resolver.PipelineOptions(concurrency) with { SharedWindow = _window }, resolver.QueryAsync);
        await pipeline.RunAsync(queries, onAnswer, cancellationToken);
    }

    /// <summary>Which result a follow-up query is about, and what it asks.</summary>
    private sealed class Followup(int index, DnsType type)
    {
        public int Index { get; } = index;

        public DnsType Type { get; } = type;

        public static PipelineQuery<Followup> Ask(string name, int index, DnsType type) => new(name, null, new Followup(index, type), type);
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
}
