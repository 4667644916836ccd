using Postmaster.Core.Incidents;
using Postmaster.Core.Providers;
using Postmaster.Core.Signals;
using Postmaster.Tests.Signals;

namespace Postmaster.Tests.Providers;

/// <summary>The provider packs as one registry: what signals, incidents and requests look up by slug.</summary>
public class ProviderRegistryTests
{
    private static readonly ProviderRegistry Registry = new(ProviderPackTests.Packs);

    [Fact]
    public void A_slug_finds_its_pack_and_an_unknown_one_finds_none()
    {
        Assert.Equal("microsoft", Registry.Find("microsoft")?.Slug);
        Assert.Null(Registry.Find("no-such-provider"));
        Assert.Null(Registry.Find(null));
        Assert.Equal("no-such-provider", Registry.NameOf("no-such-provider"));
    }

    [Fact]
    public void Providers_leave_out_the_generic_pack()
    {
        Assert.Contains(Registry.Packs, p => p.Role == ProviderRole.Generic);
        Assert.DoesNotContain(Registry.Providers, p => p.Role == ProviderRole.Generic);
    }

    [Fact]
    public void The_big_receivers_are_the_receivers_that_weigh_major_or_severe()
    {
        var big = Registry.BigReceivers.Select(p => p.Slug).ToList();

        Assert.Contains("microsoft", big);
        Assert.Contains("google", big);
        Assert.All(Registry.BigReceivers, p => Assert.True(p.Role == ProviderRole.Receiver && p.Weight >= ProviderWeight.Major, p.Slug));
    }
}
