using System.Text.Json;
using Postmaster.Core.Assets;
using Postmaster.Core.Blocklists;

namespace Postmaster.Web.Blocklists;

/// <summary>An asset as it was when the run started.</summary>
public sealed record PlannedAsset(long Id, AssetKind Kind, string Value)
{
    public AssetValue AsValue() => new(Kind, Value);

    public long TargetCount => Kind switch
    {
        AssetKind.Range => AsValue().AddressCount,
        _ => 1,
    };

    public bool IsIpv6 => Kind == AssetKind.Ip && Value.Contains(':', StringComparison.Ordinal);
}

/// <summary>A list in the run; <see cref="LastChunk"/> cuts it off where its free daily budget ends.</summary>
public sealed record PlannedList(long BlocklistId, int? LastChunk);

/// <summary>An enabled list the run does not ask, and why (failed health check, daily budget used up).</summary>
public sealed record SkippedList(long BlocklistId, string Zone, string Reason);

/// <summary>
/// What a sweep run checks, fixed when it starts: the assets in order, the lists, and the chunk size.
/// Every instance derives the same chunks from it, which is what makes a re-run chunk idempotent.
/// <see cref="Skipped"/> keeps the enabled lists left out, so the run can say what it did not check.
/// </summary>
public sealed record SweepPlan(IReadOnlyList<PlannedAsset> Assets, IReadOnlyList<PlannedList> Lists, int ChunkSize, IReadOnlyList<SkippedList>? Skipped = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public long TargetCount => Assets.Sum(a => a.TargetCount);

    public int ChunkCount => (int)((TargetCount + ChunkSize - 1) / ChunkSize);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static SweepPlan FromJson(string json) => JsonSerializer.Deserialize<SweepPlan>(json, Json)!;

    public bool Includes(PlannedList list, int chunk) => list.LastChunk is null || chunk <= list.LastChunk;

    /// <summary>The targets of one chunk, skipping whole assets before it without enumerating them.</summary>
    public IEnumerable<SweepTarget> TargetsOf(int chunk)
    {
        long start = (long)chunk * ChunkSize, end = start + ChunkSize, position = 0;
        foreach (var asset in Assets)
        {
            var count = asset.TargetCount;
            if (position + count <= start)
            {
                position += count;
                continue;
            }

            if (position >= end)
            {
                yield break;
            }

            var offset = Math.Max(0, start - position);
            var take = Math.Min(count - offset, end - (position + offset));
            if (asset.Kind is AssetKind.Domain or AssetKind.Helo)
            {
                yield return SweepTarget.ForDomain(asset.Id, asset.Value);
            }
            else
            {
                foreach (var address in asset.AsValue().Addresses(offset, take))
                {
                    yield return SweepTarget.ForAddress(asset.Id, address);
                }
            }

            position += count;
        }
    }

    /// <summary>How many targets of each family fall in each chunk, for budgets and totals.</summary>
    public IReadOnlyList<TargetMix> MixPerChunk()
    {
        var mixes = new TargetMix[ChunkCount];
        long position = 0;
        foreach (var asset in Assets)
        {
            var remaining = asset.TargetCount;
            while (remaining > 0)
            {
                var chunk = (int)(position / ChunkSize);
                var room = Math.Min(remaining, ((long)chunk + 1) * ChunkSize - position);
                var mix = mixes[chunk];
                mixes[chunk] = asset.Kind switch
                {
                    AssetKind.Domain or AssetKind.Helo => mix with { Domains = mix.Domains + room },
                    _ when asset.IsIpv6 => mix with { Ipv6 = mix.Ipv6 + room },
                    _ => mix with { Ipv4 = mix.Ipv4 + room },
                };
                position += room;
                remaining -= room;
            }
        }

        return mixes;
    }
}

public readonly record struct TargetMix(long Ipv4, long Ipv6, long Domains)
{
    public long ApplicableTo(BlocklistDefinition list) =>
        list.Lists == ListedThing.Domain ? Domains : Ipv4 + (list.Ipv6 ? Ipv6 : 0);
}
