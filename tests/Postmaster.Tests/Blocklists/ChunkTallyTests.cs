using System.Net;
using Postmaster.Core.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Blocklists;

namespace Postmaster.Tests.Blocklists;

public class ChunkTallyTests
{
    private static readonly BlocklistCatalog Catalog = BlocklistCatalog.Load(RepoPaths.Catalog);

    private static readonly SweepList Zen = new(Catalog.Lists.Single(l => l.Slug == "spamhaus-zen"), "zen.spamhaus.org");

    private static readonly SweepList Barracuda = new(Catalog.Lists.Single(l => l.Slug == "barracuda-brbl"), "b.barracudacentral.org");

    [Fact]
    public void Answers_are_counted_per_asset_and_list_with_listed_and_unknown_apart()
    {
        var tally = new ChunkTally([42, 7, 42, 1000], new Dictionary<long, SweepList> { [3] = Zen, [9] = Barracuda });

        tally.Count(Result(42, Zen, BlocklistVerdict.NotListed));
        tally.Count(Result(42, Zen, Listed()));
        tally.Count(Result(42, Barracuda, BlocklistVerdict.Unknown("timeout")));
        tally.Count(Result(1000, Zen, BlocklistVerdict.NotListed));

        Assert.Equal(
            [new CellCount(42, 3, 2, 1, 0), new CellCount(42, 9, 1, 0, 1), new CellCount(1000, 3, 1, 0, 0)],
            tally.Cells().OrderBy(c => c.AssetId).ThenBy(c => c.ListId));
        Assert.Equal((4, 1, 1), (tally.Queried, tally.Listed, tally.Unknown));
        Assert.Equal(9, tally.ListId(Barracuda));
    }

    [Fact]
    public void A_listing_the_second_answer_did_not_confirm_counts_as_unknown_not_listed()
    {
        var tally = new ChunkTally([5], new Dictionary<long, SweepList> { [3] = Zen });
        var result = Result(5, Zen, Listed());
        tally.Count(result);

        tally.Unconfirmed(result);

        Assert.Equal(new CellCount(5, 3, 1, 0, 1), Assert.Single(tally.Cells()));
    }

    [Fact]
    public void Counting_from_many_threads_loses_nothing()
    {
        var tally = new ChunkTally(Enumerable.Range(1, 50).Select(i => (long)i), new Dictionary<long, SweepList> { [3] = Zen, [9] = Barracuda });

        Parallel.For(0, 100_000, i => tally.Count(Result(1 + (i % 50), (i / 50) % 2 == 0 ? Zen : Barracuda, i % 10 == 0 ? Listed() : BlocklistVerdict.NotListed)));

        Assert.Equal((100_000, 10_000, 0), (tally.Queried, tally.Listed, tally.Unknown));
        Assert.All(tally.Cells(), c => Assert.Equal(1000, c.Queried));
    }

    [Fact]
    public void An_answer_about_an_asset_or_list_outside_the_chunk_is_refused()
    {
        var tally = new ChunkTally([5], new Dictionary<long, SweepList> { [3] = Zen });

        Assert.Throws<ArgumentException>(() => tally.Count(Result(6, Zen, BlocklistVerdict.NotListed)));
        Assert.Throws<ArgumentException>(() => tally.Count(Result(5, Barracuda, BlocklistVerdict.NotListed)));
    }

    private static BlocklistVerdict Listed() =>
        new(ListingOutcome.Listed, [IPAddress.Parse("127.0.0.2")], [new ReturnCode("sbl", "high", "SBL")]);

    private static SweepResult Result(long assetId, SweepList list, BlocklistVerdict verdict) =>
        new(SweepTarget.ForAddress(assetId, IPAddress.Parse("192.0.2.1")), list, BlocklistAnswer.NotFound, verdict);
}
