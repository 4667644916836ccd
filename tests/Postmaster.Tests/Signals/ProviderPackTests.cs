using Postmaster.Core.Blocklists;
using Postmaster.Core.Signals;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Signals;

/// <summary>Every rule in every provider pack is tested by the real examples that ship with it.</summary>
public class ProviderPackTests
{
    public static readonly string Providers = Path.Combine(RepoPaths.Templates, "providers");

    public static readonly IReadOnlyList<ProviderPack> Packs = ProviderPackLoader.LoadAll(Providers);

    public static readonly ResponseClassifier Classifier = new(Packs,
        BlocklistCatalog.Load(RepoPaths.Catalog).Lists.Select(l => new KeyValuePair<string, string>(l.Zone, l.Provider)));

    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        var examples = ProviderPackLoader.LoadExamples(Providers);
        foreach (var group in examples.GroupBy(e => e.Rule))
        {
            var i = 0;
            foreach (var example in group)
            {
                data.Add(example.Rule, $"{i++}");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Each_real_example_classifies_to_its_provider_kind_and_rule(string rule, string index)
    {
        var example = ProviderPackLoader.LoadExamples(Providers).Where(e => e.Rule == rule).ElementAt(int.Parse(index, System.Globalization.CultureInfo.InvariantCulture));

        var result = Classifier.Classify(example.Response, example.RecipientDomain, example.Mx);

        Assert.Equal(
            (example.ExpectProvider, example.ExpectKind.ToApi(), example.ExpectBlocklist, example.Rule),
            (result.Provider, result.Kind?.ToApi(), result.Blocklist, result.MatchedRule));
    }

    [Fact]
    public void Every_rule_has_at_least_one_real_example()
    {
        var covered = ProviderPackLoader.LoadExamples(Providers).Select(e => e.Rule).ToHashSet();

        var untested = Packs.SelectMany(p => p.Rules).Where(r => !covered.Contains(r.Id)).Select(r => r.Id).ToList();

        Assert.Empty(untested);
    }

    [Theory]
    [InlineData("microsoft")]
    [InlineData("google")]
    [InlineData("yahoo")]
    [InlineData("t-online")]
    [InlineData("gmx-webde")]
    [InlineData("apple")]
    [InlineData("comcast")]
    [InlineData("att")]
    [InlineData("orange")]
    [InlineData("free")]
    [InlineData("mailru")]
    [InlineData("yandex")]
    [InlineData("proofpoint")]
    [InlineData("mimecast")]
    [InlineData("barracuda")]
    [InlineData("cloudmark")]
    [InlineData("cisco")]
    [InlineData("spamhaus")]
    [InlineData("spamcop")]
    [InlineData("uceprotect")]
    [InlineData("ionos")]
    [InlineData("cox")]
    [InlineData("earthlink")]
    [InlineData("sfr")]
    [InlineData("laposte")]
    [InlineData("rambler")]
    [InlineData("qq")]
    [InlineData("netease")]
    [InlineData("naver")]
    [InlineData("wp")]
    [InlineData("libero")]
    [InlineData("tiscali")]
    [InlineData("seznam")]
    [InlineData("bluewin")]
    [InlineData("zoho")]
    [InlineData("fastmail")]
    [InlineData("telstra")]
    [InlineData("rogers")]
    [InlineData("virginmedia")]
    [InlineData("bt")]
    [InlineData("trendmicro")]
    [InlineData("symantec")]
    [InlineData("sophos")]
    [InlineData("fireeye")]
    [InlineData("zerospam")]
    [InlineData("hornetsecurity")]
    [InlineData("spamexperts")]
    [InlineData("forcepoint")]
    [InlineData("fortinet")]
    [InlineData("checkpoint")]
    public void The_packs_the_product_promises_are_there(string slug) => Assert.NotNull(Classifier.Pack(slug));

    [Fact]
    public void Replies_that_differ_only_in_a_reason_code_are_not_confused_by_the_cache()
    {
        var classifier = new ResponseClassifier(Packs, []);

        var blocked = classifier.Classify("550 5.7.1 XGEMAIL_0008 Command rejected");
        var unknown = classifier.Classify("550 5.7.1 XGEMAIL_0011 Command rejected");

        Assert.Equal(("sophos", SignalKind.Policy), (blocked.Provider, blocked.Kind));
        Assert.Equal(("sophos", SignalKind.UserUnknown), (unknown.Provider, unknown.Kind));
    }

    [Fact]
    public void A_pack_whose_pattern_needs_backtracking_is_refused_naming_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-pack-");
        try
        {
            var pack = Directory.CreateDirectory(Path.Combine(dir.FullName, "bad"));
            File.WriteAllText(Path.Combine(pack.FullName, "provider.json"),
                """{"slug": "bad", "role": "receiver", "rules": [{"id": "bad-1", "pattern": "(a)\\1", "kind": "policy"}]}""");

            var error = Assert.Throws<ProviderPackException>(() => ProviderPackLoader.LoadAll(dir.FullName));

            Assert.Contains("provider.json: rules[0] (bad-1)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
