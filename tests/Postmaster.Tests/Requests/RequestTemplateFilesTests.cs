using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Tests.Signals;

namespace Postmaster.Tests.Requests;

/// <summary>The request templates that ship in templates/providers: each loads, and renders its provider's sample incident.</summary>
public class RequestTemplateFilesTests
{
    private static readonly ProviderRegistry Registry = new(ProviderPackTests.Packs);

    [Fact]
    public void Every_shipped_template_loads_and_renders_the_sample_incident_of_its_provider()
    {
        var catalog = RequestTemplateCatalog.Load(ProviderPackTests.Providers, Registry);

        Assert.Contains(catalog.All, t => t.Id == "generic/explain");
        Assert.All(catalog.All, t => Assert.NotNull(Registry.Find(t.Provider)));
    }

    [Fact]
    public void The_fallback_explains_with_the_evidence_and_writes_to_the_address_the_rejection_gave()
    {
        var template = RequestTemplateCatalog.Load(ProviderPackTests.Providers, Registry).Find("generic/explain")!;
        var slugs = Registry.Packs.Select(p => p.Slug).ToList();

        var draft = RequestRenderer.Render(template, SampleRequestModel.Full("t-online", "T-Online", slugs), slugs, ct: TestContext.Current.CancellationToken);

        Assert.Equal("tosa@rx.t-online.de", draft.To);
        Assert.Equal("T-Online refuses mail from pool-a (203.0.113.0/28) (our ref. 4711)", draft.Subject);
        Assert.Contains("  203.0.113.9\n  203.0.113.10\n", draft.Body, StringComparison.Ordinal);
        Assert.Contains("(BL)", draft.Body, StringComparison.Ordinal);
        Assert.Contains("What we changed:\nClosed the open relay", draft.Body, StringComparison.Ordinal);
    }
}
