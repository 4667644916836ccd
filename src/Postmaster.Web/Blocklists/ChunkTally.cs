using Postmaster.Core.Blocklists;

namespace Postmaster.Web.Blocklists;

/// <summary>One (asset, list) pair's counts in a chunk.</summary>
public readonly record struct CellCount(long AssetId, long ListId, long Queried, long Listed, long Unknown);

/// <summary>
/// Counts a chunk's answers per (asset, list) in flat arrays. Every DNS answer of a sweep passes
/// through <see cref="Count"/> on the pipeline's receiving threads, tens of thousands a second, so it
/// does no dictionary work (a dictionary keyed by a struct of ours is not precompiled with the app and
/// would run as tier-0 code through a process's first sweep): the asset is found by binary search
/// among the chunk's few asset ids, the list by reference among its few lists.
/// </summary>
public sealed class ChunkTally
{
    private readonly long[] _assetIds;
    private readonly SweepList[] _lists;
    private readonly long[] _listIds;
    private readonly long[] _queried;
    private readonly long[] _listed;
    private readonly long[] _unknown;

    public ChunkTally(IEnumerable<long> assetIds, IReadOnlyDictionary<long, SweepList> lists)
    {
        _assetIds = assetIds.Distinct().Order().ToArray();
        _listIds = [.. lists.Keys];
        _lists = [.. _listIds.Select(id => lists[id])];
        var cells = _assetIds.Length * _lists.Length;
        (_queried, _listed, _unknown) = (new long[cells], new long[cells], new long[cells]);
    }

    public long Queried => _queried.Sum();

    public long Listed => _listed.Sum();

    public long Unknown => _unknown.Sum();

    /// <summary>The id of a list of this chunk.</summary>
    public long ListId(SweepList list) => _listIds[ListIndex(list)];

    /// <summary>The position of a list of this chunk (0 … lists − 1), for per-list tables kept beside the tally.</summary>
    public int ListIndex(SweepList list)
    {
        for (var i = 0; i < _lists.Length; i++)
        {
            if (ReferenceEquals(_lists[i], list))
            {
                return i;
            }
        }

        throw new ArgumentException($"The list {list.Definition.Slug} is not part of this chunk.", nameof(list));
    }

    /// <summary>Counts one answer; safe from several threads at once.</summary>
    public void Count(SweepResult result)
    {
        var cell = Cell(result.Target.AssetId, ListIndex(result.List));
        Interlocked.Increment(ref _queried[cell]);
        switch (result.Verdict.Outcome)
        {
            case ListingOutcome.Listed:
                Interlocked.Increment(ref _listed[cell]);
                break;
            case ListingOutcome.Unknown:
                Interlocked.Increment(ref _unknown[cell]);
                break;
        }
    }

    /// <summary>A change of state the confirming query did not agree with: counted as unknown, not as what it first said.</summary>
    public void Unconfirmed(SweepResult result)
    {
        var cell = Cell(result.Target.AssetId, ListIndex(result.List));
        Interlocked.Increment(ref _unknown[cell]);
        if (result.Verdict.Outcome == ListingOutcome.Listed)
        {
            Interlocked.Decrement(ref _listed[cell]);
        }
    }

    /// <summary>The pairs that were asked about at least once.</summary>
    public IEnumerable<CellCount> Cells()
    {
        for (var a = 0; a < _assetIds.Length; a++)
        {
            for (var l = 0; l < _lists.Length; l++)
            {
                var cell = (a * _lists.Length) + l;
                if (_queried[cell] > 0)
                {
                    yield return new CellCount(_assetIds[a], _listIds[l], _queried[cell], _listed[cell], _unknown[cell]);
                }
            }
        }
    }

    private int Cell(long assetId, int listIndex)
    {
        int low = 0, high = _assetIds.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var id = _assetIds[middle];
            if (id == assetId)
            {
                return (middle * _lists.Length) + listIndex;
            }

            if (id < assetId)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        throw new ArgumentException($"Asset {assetId} is not part of this chunk.", nameof(assetId));
    }
}
