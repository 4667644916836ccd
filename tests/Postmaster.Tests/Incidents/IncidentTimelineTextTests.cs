using Postmaster.Web.Incidents;

namespace Postmaster.Tests.Incidents;

/// <summary>A timeline line that stands for many values says how many, not one line per value.</summary>
public class IncidentTimelineTextTests
{
    [Fact]
    public void An_opening_that_folded_a_whole_range_says_how_many_addresses() =>
        Assert.Equal("Opened: 65,536 addresses listed on zen.spamhaus.org.",
            IncidentTimelineText.Folded("opened", 65_536, new TimelineFold("zen.spamhaus.org", "run 7", Domains: false)));

    [Fact]
    public void Domains_are_counted_as_domains() =>
        Assert.Equal("2 domains no longer listed on dbl.spamhaus.org.",
            IncidentTimelineText.Folded("delisted", 2, new TimelineFold("dbl.spamhaus.org", "run 7", Domains: true)));

    [Fact]
    public void Rejections_name_the_receiver_that_refuses() =>
        Assert.Equal("Opened: microsoft refuses mail from 3 addresses.",
            IncidentTimelineText.Folded("opened", 3, new TimelineFold("microsoft", "batch 1", Domains: false, Rejections: true)));
}
