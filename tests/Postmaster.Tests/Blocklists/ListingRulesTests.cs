using System.Net;
using Postmaster.Core.Blocklists;

namespace Postmaster.Tests.Blocklists;

public sealed class ListingRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    // Spamhaus ZEN's codes as templates/blocklists/catalog.json gives them: 127.0.0.2 SBL, 127.0.0.4 XBL.
    private static readonly ReturnCode Sbl = new("sbl", "high", "Spamhaus SBL");
    private static readonly ReturnCode Xbl = new("xbl", "high", "Spamhaus XBL");

    private static readonly ListingRow Active = new(true, "127.0.0.2", "sbl", "https://check.spamhaus.org/sbl/query/SBL1", T0, T0, T0, null);

    private static BlocklistVerdict Listed(params (string Code, ReturnCode Meaning)[] codes) =>
        new(ListingOutcome.Listed, [.. codes.Select(c => IPAddress.Parse(c.Code))], [.. codes.Select(c => c.Meaning)]);

    [Theory]
    [InlineData(false, ListingOutcome.Listed, ListingStep.Confirm)]
    [InlineData(true, ListingOutcome.NotListed, ListingStep.Confirm)]
    [InlineData(false, ListingOutcome.NotListed, ListingStep.None)]
    [InlineData(true, ListingOutcome.Unknown, ListingStep.None)]
    [InlineData(false, ListingOutcome.Unknown, ListingStep.None)]
    public void Only_a_flip_of_a_known_state_needs_a_second_answer(bool knownListed, ListingOutcome outcome, ListingStep expected)
    {
        var verdict = outcome switch
        {
            ListingOutcome.Listed => Listed(("127.0.0.2", Sbl)),
            ListingOutcome.NotListed => BlocklistVerdict.NotListed,
            _ => BlocklistVerdict.Unknown("SERVFAIL"),
        };

        Assert.Equal(expected, ListingRules.Classify(knownListed ? Active : null, verdict));
    }

    [Fact]
    public void The_same_codes_again_only_say_the_value_is_still_listed()
    {
        Assert.Equal(ListingStep.StillListed, ListingRules.Classify(Active, Listed(("127.0.0.2", Sbl))));
    }

    [Fact]
    public void Another_code_on_a_listed_value_is_a_change_of_codes()
    {
        var verdict = Listed(("127.0.0.2", Sbl), ("127.0.0.4", Xbl));

        var step = ListingRules.Classify(Active, verdict);
        var (change, next) = ListingRules.Apply(Active, verdict, "SBL and XBL", T0.AddHours(1))!.Value;

        Assert.Equal(ListingStep.CodesChanged, step);
        Assert.Equal(ListingChange.CodesChanged, change);
        Assert.Equal(("127.0.0.2,127.0.0.4", "sbl,xbl", T0), (next.Codes, next.Categories, next.FirstSeen));
    }

    [Fact]
    public void A_first_listing_starts_its_episode_now()
    {
        var (change, next) = ListingRules.Apply(null, Listed(("127.0.0.2", Sbl)), "reason", T0)!.Value;

        Assert.Equal(ListingChange.Listed, change);
        Assert.Equal((true, T0, T0, "reason"), (next.Active, next.FirstSeen, next.LastSeen, next.Reason));
    }

    [Fact]
    public void A_delisting_keeps_the_codes_seen_and_stamps_the_time()
    {
        var (change, next) = ListingRules.Apply(Active, BlocklistVerdict.NotListed, null, T0.AddDays(1))!.Value;

        Assert.Equal(ListingChange.Delisted, change);
        Assert.Equal((false, T0.AddDays(1), "127.0.0.2"), (next.Active, next.DelistedAt, next.Codes));
    }

    [Fact]
    public void Listed_again_after_a_delisting_is_a_new_episode_with_its_own_first_seen()
    {
        var delisted = Active with { Active = false, DelistedAt = T0.AddDays(1) };

        var (change, next) = ListingRules.Apply(delisted, Listed(("127.0.0.2", Sbl)), null, T0.AddDays(5))!.Value;

        Assert.Equal(ListingChange.Listed, change);
        Assert.Equal((T0.AddDays(5), (DateTimeOffset?)null), (next.FirstSeen, next.DelistedAt));
    }

    [Fact]
    public void Unknown_never_changes_a_listing()
    {
        Assert.Null(ListingRules.Apply(Active, BlocklistVerdict.Unknown("timeout"), null, T0));
        Assert.Null(ListingRules.Apply(null, BlocklistVerdict.NotListed, null, T0));
    }
}
