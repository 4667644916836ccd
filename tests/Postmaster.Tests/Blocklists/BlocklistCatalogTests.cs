using System.Text;
using Postmaster.Core.Blocklists;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Blocklists;

public class BlocklistCatalogTests
{
    private static readonly BlocklistCatalog Catalog = BlocklistCatalog.Load(RepoPaths.Catalog);

    [Theory]
    [InlineData("zen.spamhaus.org")]
    [InlineData("dbl.spamhaus.org")]
    [InlineData("b.barracudacentral.org")]
    [InlineData("bl.spamcop.net")]
    [InlineData("dnsbl-1.uceprotect.net")]
    [InlineData("dnsbl-2.uceprotect.net")]
    [InlineData("dnsbl-3.uceprotect.net")]
    [InlineData("psbl.surriel.com")]
    [InlineData("bl.mailspike.net")]
    [InlineData("all.s5h.net")]
    [InlineData("ips.backscatterer.org")]
    [InlineData("dnsbl.dronebl.org")]
    [InlineData("bl.nordspam.com")]
    [InlineData("dbl.nordspam.com")]
    [InlineData("multi.surbl.org")]
    [InlineData("multi.uribl.com")]
    [InlineData("combined.mail.abusix.zone")]
    public void The_shipped_catalog_has_the_lists_the_product_promises(string zone) =>
        Assert.Contains(Catalog.Lists, l => l.Zone == zone);

    [Fact]
    public void Keyed_lists_are_off_by_default_and_have_a_key_placeholder()
    {
        var keyed = Catalog.Lists.Where(l => l.QueryPolicy.KeyRequired).ToList();

        Assert.NotEmpty(keyed);
        Assert.All(keyed, l => Assert.False(l.EnabledByDefault, l.Slug));
        Assert.All(keyed, l => Assert.Contains("{key}", l.KeyedZone, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dnsbl.sorbs.net")]
    [InlineData("spam.dnsbl.sorbs.net")]
    [InlineData("dnsbl.ahbl.org")]
    [InlineData("bl.spamcannibal.org")]
    [InlineData("DNSBL.NJABL.ORG.")]
    public void Known_dead_zones_are_recognised_with_a_reason(string zone)
    {
        var dead = Catalog.FindDead(zone);

        Assert.NotNull(dead);
        Assert.False(string.IsNullOrWhiteSpace(dead.Reason));
    }

    [Fact]
    public void A_live_zone_is_not_taken_for_a_dead_one() => Assert.Null(Catalog.FindDead("zen.spamhaus.org"));

    [Fact]
    public void A_broken_catalog_names_the_file_and_line()
    {
        using var json = new MemoryStream(Encoding.UTF8.GetBytes("{\n  \"version\": 1,\n  \"lists\": [ {\"zone\": \"a.example\", \"lists\": \"ip\"},\n  oops ]\n}"));

        var error = Assert.Throws<CatalogException>(() => BlocklistCatalog.Parse(json, "catalog.json"));

        Assert.StartsWith("catalog.json, line 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_with_a_bad_code_names_the_entry()
    {
        using var json = new MemoryStream(Encoding.UTF8.GetBytes("""{"version":1,"lists":[{"slug":"x","zone":"x.example","lists":"ip","codes":{"10.0.0.2":{"category":"spam"}}}]}"""));

        var error = Assert.Throws<CatalogException>(() => BlocklistCatalog.Parse(json, "catalog.json"));

        Assert.Contains("lists[0] (x)", error.Message, StringComparison.Ordinal);
        Assert.Contains("10.0.0.2", error.Message, StringComparison.Ordinal);
    }
}
