using System.Text;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Core.Signals;
using Postmaster.Tests.Infrastructure;
using Postmaster.Tests.Signals;

namespace Postmaster.Tests.Incidents;

/// <summary>Where incident severity starts: the weights the catalog and provider packs give.</summary>
public class ProviderWeightTests
{
    private static readonly BlocklistCatalog Catalog = BlocklistCatalog.Load(RepoPaths.Catalog);

    [Theory]
    [InlineData("spamhaus-zen", ProviderWeight.Severe)]
    [InlineData("spamhaus-dbl", ProviderWeight.Severe)]
    [InlineData("spamcop-scbl", ProviderWeight.Major)]
    [InlineData("uceprotect-l1", ProviderWeight.Moderate)]
    [InlineData("uceprotect-l3", ProviderWeight.Minor)]
    public void The_catalog_weighs_spamhaus_most_and_uceprotect_level_3_least(string slug, ProviderWeight weight) =>
        Assert.Equal(weight, Catalog.Lists.Single(l => l.Slug == slug).Weight);

    [Theory]
    [InlineData("microsoft", ProviderWeight.Severe)]
    [InlineData("google", ProviderWeight.Severe)]
    [InlineData("t-online", ProviderWeight.Major)]
    [InlineData("proofpoint", ProviderWeight.Moderate)]
    public void Provider_packs_weigh_the_big_mailbox_providers_most(string slug, ProviderWeight weight) =>
        Assert.Equal(weight, ProviderPackTests.Packs.Single(p => p.Slug == slug).Weight);

    [Fact]
    public void A_pbl_answer_inside_zen_weighs_one_step_less_than_sbl()
    {
        var zen = Catalog.Lists.Single(l => l.Slug == "spamhaus-zen");
        var severities = (string code) => new[] { zen.Codes[System.Net.IPAddress.Parse(code)].Severity };

        Assert.Equal(ProviderWeight.Severe, ProviderWeights.OfListing(zen.Weight, severities("127.0.0.2")));
        Assert.Equal(ProviderWeight.Major, ProviderWeights.OfListing(zen.Weight, severities("127.0.0.10")));
    }

    [Fact]
    public void A_listing_with_one_heavy_code_among_mild_ones_keeps_the_list_weight() =>
        Assert.Equal(ProviderWeight.Severe, ProviderWeights.OfListing(ProviderWeight.Severe, ["medium", "high"]));

    [Fact]
    public void A_catalog_entry_with_an_unknown_weight_is_refused_naming_the_entry()
    {
        using var json = new MemoryStream(Encoding.UTF8.GetBytes("""{"version":1,"lists":[{"slug":"x","zone":"x.example","lists":"ip","weight":"huge"}]}"""));

        var error = Assert.Throws<CatalogException>(() => BlocklistCatalog.Parse(json, "catalog.json"));

        Assert.Contains("lists[0] (x)", error.Message, StringComparison.Ordinal);
        Assert.Contains("minor, moderate, major, severe", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pack_with_an_unknown_weight_is_refused_naming_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-pack-");
        try
        {
            var pack = Directory.CreateDirectory(Path.Combine(dir.FullName, "heavy"));
            File.WriteAllText(Path.Combine(pack.FullName, "provider.json"), """{"slug": "heavy", "role": "receiver", "weight": "huge", "rules": []}""");

            var error = Assert.Throws<ProviderPackException>(() => ProviderPackLoader.LoadAll(dir.FullName));

            Assert.Contains("provider.json: weight 'huge'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
