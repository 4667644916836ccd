using Postmaster.Core.Blocklists;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Blocklists;

public class BlocklistAnswerDecoderTests
{
    private static readonly BlocklistCatalog Catalog = BlocklistCatalog.Load(RepoPaths.Catalog);

    private static BlocklistDefinition List(string slug) => Catalog.Lists.Single(l => l.Slug == slug);

    [Fact]
    public void Spamhaus_public_resolver_code_is_unknown_and_flags_the_resolver()
    {
        var verdict = BlocklistAnswerDecoder.Decode(List("spamhaus-zen"), BlocklistAnswer.Of("127.255.255.254"));

        Assert.Equal(ListingOutcome.Unknown, verdict.Outcome);
        Assert.True(verdict.ResolverRefused);
        Assert.Contains("resolver", verdict.UnknownReason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_a_record_is_kept_and_decoded()
    {
        var verdict = BlocklistAnswerDecoder.Decode(List("spamhaus-zen"), BlocklistAnswer.Of("127.0.0.2", "127.0.0.4", "127.0.0.10"));

        Assert.Equal(ListingOutcome.Listed, verdict.Outcome);
        Assert.Equal(["sbl", "xbl", "pbl-isp"], verdict.Categories);
        Assert.Equal("127.0.0.2,127.0.0.4,127.0.0.10", verdict.CodesText);
    }

    [Fact]
    public void Uribl_refused_code_is_unknown_not_listed()
    {
        var verdict = BlocklistAnswerDecoder.Decode(List("uribl-multi"), BlocklistAnswer.Of("127.0.0.1"));

        Assert.Equal(ListingOutcome.Unknown, verdict.Outcome);
        Assert.True(verdict.ResolverRefused);
    }

    [Fact]
    public void A_bitmask_answer_decodes_every_set_bit()
    {
        // SURBL: 80 = 64 (abuse) + 16 (malware)
        var verdict = BlocklistAnswerDecoder.Decode(List("surbl-multi"), BlocklistAnswer.Of("127.0.0.80"));

        Assert.Equal(ListingOutcome.Listed, verdict.Outcome);
        Assert.Equal(["malware", "abuse"], verdict.Categories);
    }

    [Fact]
    public void An_answer_outside_127_8_is_unknown()
    {
        var verdict = BlocklistAnswerDecoder.Decode(List("spamcop-scbl"), BlocklistAnswer.Of("192.0.2.1"));

        Assert.Equal(ListingOutcome.Unknown, verdict.Outcome);
        Assert.Contains("outside 127.0.0.0/8", verdict.UnknownReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LookupStatus.Timeout)]
    [InlineData(LookupStatus.ServerFailure)]
    [InlineData(LookupStatus.Refused)]
    public void Dns_failures_are_unknown_never_clean(LookupStatus status) =>
        Assert.Equal(ListingOutcome.Unknown, BlocklistAnswerDecoder.Decode(List("spamhaus-zen"), new BlocklistAnswer(status, [])).Outcome);

    [Fact]
    public void Nxdomain_is_not_listed() =>
        Assert.Equal(ListingOutcome.NotListed, BlocklistAnswerDecoder.Decode(List("spamhaus-zen"), BlocklistAnswer.NotFound).Outcome);

    [Fact]
    public void An_undocumented_code_of_a_documented_list_is_unknown() =>
        Assert.Equal(ListingOutcome.Unknown, BlocklistAnswerDecoder.Decode(List("spamhaus-zen"), BlocklistAnswer.Of("127.0.0.77")).Outcome);

    [Fact]
    public void A_list_without_documented_codes_counts_any_127_answer_as_listed()
    {
        var verdict = BlocklistAnswerDecoder.Decode(List("spamcop-scbl"), BlocklistAnswer.Of("127.0.0.2"));

        Assert.Equal(ListingOutcome.Listed, verdict.Outcome);
        Assert.Equal(["undocumented"], verdict.Categories);
    }

    [Fact]
    public void A_good_reputation_code_is_not_a_listing()
    {
        var list = new BlocklistDefinition
        {
            Slug = "rep",
            Name = "Rep",
            Zone = "rep.example",
            Codes = new Dictionary<System.Net.IPAddress, ReturnCode> { [System.Net.IPAddress.Parse("127.0.0.18")] = new("good", "info", "Good reputation", Listed: false) },
        };

        Assert.Equal(ListingOutcome.NotListed, BlocklistAnswerDecoder.Decode(list, BlocklistAnswer.Of("127.0.0.18")).Outcome);
    }
}
