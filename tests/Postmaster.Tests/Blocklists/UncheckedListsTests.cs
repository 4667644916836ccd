using Postmaster.Core.Blocklists;

namespace Postmaster.Tests.Blocklists;

public class UncheckedListsTests
{
    private const string Resolver = "127.0.0.1:53 (Postmaster:Dns:Servers)";

    private static UncheckedList Missing(string name, string provider = "other") =>
        new(name, $"{name.ToLowerInvariant()}.example", provider,
            new ListHealth(ListHealthState.Quarantined, $"{name} does not list its test point 127.0.0.2.", ListHealthCause.TestPointMissing, "NXDOMAIN"));

    [Fact]
    public void Nineteen_lists_failing_for_the_same_cause_are_one_sentence()
    {
        var lists = Enumerable.Range(1, 19).Select(i => Missing($"List{i}")).ToList();

        var sentence = Assert.Single(UncheckedLists.Explain(lists, Resolver));

        Assert.StartsWith("The resolver 127.0.0.1:53 (Postmaster:Dns:Servers) answered NXDOMAIN for the listed test point of 19 lists (List1, List2, List3, List4, List5 and 14 more)", sentence, StringComparison.Ordinal);
        Assert.Contains("local recursive resolver", sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("DQS", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spamhaus_list_among_them_adds_the_dqs_key_as_a_way_out()
    {
        var sentence = Assert.Single(UncheckedLists.Explain([Missing("Spamhaus ZEN", "spamhaus"), Missing("SpamCop")], Resolver));

        Assert.Contains("DQS key", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_causes_are_one_sentence_each_the_most_common_first()
    {
        var timeout = new UncheckedList("Slow", "slow.example", "other",
            new ListHealth(ListHealthState.Quarantined, "Slow did not answer.", ListHealthCause.NoAnswer, "no answer before the timeout"));
        var wildcard = new UncheckedList("Lapsed", "lapsed.example", "other",
            new ListHealth(ListHealthState.Quarantined, "Lapsed answers 192.0.2.1.", ListHealthCause.ListsEverything, "192.0.2.1"));

        var sentences = UncheckedLists.Explain([timeout, Missing("A"), wildcard, Missing("B")], Resolver);

        Assert.Equal(3, sentences.Count);
        Assert.Contains("2 lists (A, B)", sentences[0], StringComparison.Ordinal);
        Assert.Contains(sentences, s => s.StartsWith("The resolver 127.0.0.1:53 (Postmaster:Dns:Servers) gave no usable answer (no answer before the timeout) for the test points of Slow.", StringComparison.Ordinal));
        Assert.Contains(sentences, s => s.StartsWith("Lapsed answered \"listed\" (192.0.2.1) for 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_list_that_cannot_be_read_keeps_its_own_reason()
    {
        var broken = new UncheckedList("Broken", "broken.example", "", new ListHealth(ListHealthState.Quarantined, "blocklist broken: codes: 10.0.0.2 is outside 127.0.0.0/8.", ListHealthCause.InvalidDefinition));

        Assert.Equal(["blocklist broken: codes: 10.0.0.2 is outside 127.0.0.0/8."], UncheckedLists.Explain([broken], Resolver));
    }
}
