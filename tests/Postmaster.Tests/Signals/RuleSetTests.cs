using System.Text.RegularExpressions;
using Postmaster.Core.Signals;

namespace Postmaster.Tests.Signals;

/// <summary>The literal shortcut in front of the rule regexes must never change which rule matches.</summary>
public class RuleSetTests
{
    private static readonly IReadOnlyList<ProviderPack> Packs = ProviderPackTests.Packs;

    /// <summary>Every example of every pack, as given and folded: real replies in many shapes.</summary>
    private static readonly IReadOnlyList<string> Texts = ProviderPackLoader.LoadExamples(ProviderPackTests.Providers)
        .SelectMany(e => new[] { e.Response, ResponseText.Fold(e.Response) })
        .Concat(["", "550 5.7.1 \u212Aelvin sign", "421 4.7.0 Try again later", "250 2.0.0 OK"])
        .Distinct(StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData("dmarc", "dmarc")]
    [InlineData("reverse (?:dns|lookup)|ptr record", "reverse |ptr record")]
    [InlineData("(?:^|[^a-z])rbls?(?:[^a-z]|$)", "rbl")]
    [InlineData("(?:^|[^\\d.])[45]\\.7\\.\\d{1,3}(?:[^\\d]|$)", ".7.")]
    [InlineData("Unauthenticated email from .{1,200}DMARC policy", "unauthenticated email from ")]
    [InlineData("\\[(?:IP)?TSS?0[0-9]\\]|temporarily deferred", "ts|temporarily deferred")]
    [InlineData("too many (?:concurrent )?connections+", "connection")]
    public void Literals_every_match_must_contain(string pattern, string expected) =>
        Assert.Equal(expected.Split('|'), RequiredLiterals.Of(pattern));

    [Theory]
    [InlineData("a?b*")] // nothing required
    [InlineData("foo|.")] // one branch requires nothing
    [InlineData("\\bfoo")] // outside the dialect: no shortcut rather than a wrong one
    [InlineData("(?<name>foo)")]
    [InlineData("(?i)foo")]
    [InlineData("foo(")]
    [InlineData("\u00e9")] // a non-ASCII letter: regex case folding and ordinal ignore-case differ beyond ASCII
    public void No_literals_when_unsure(string pattern) => Assert.Null(RequiredLiterals.Of(pattern));

    [Fact]
    public void Every_rule_match_on_the_examples_contains_one_of_its_literals()
    {
        var broken = (from pack in Packs
                      from rule in pack.Rules
                      let literals = RequiredLiterals.Of(rule.Pattern.ToString())
                      where literals is not null
                      from text in Texts
                      where rule.Pattern.IsMatch(text) && !literals.Any(l => text.Contains(l, StringComparison.OrdinalIgnoreCase))
                      select $"{rule.Id}: {text}").ToList();

        Assert.Empty(broken);
    }

    [Fact]
    public void First_match_is_the_first_rule_whose_regex_matches()
    {
        var lists = Packs.Select(p => p.Rules)
            .Append(Packs.SelectMany(p => p.Rules).ToList())
            .Append(Packs.SelectMany(p => p.Rules.Where(r => r.IdentifiesProvider)).ToList());
        var differ = (from rules in lists
                      let set = new RuleSet(rules)
                      from text in Texts
                      let expected = rules.FirstOrDefault(r => r.Pattern.IsMatch(text))?.Id
                      let actual = set.FirstMatch(text)?.Id
                      where expected != actual
                      select $"{text}: {expected} vs {actual}").ToList();

        Assert.Empty(differ);
    }

    [Fact]
    public void Non_ascii_text_runs_the_regexes_whose_case_folding_reaches_past_ascii()
    {
        // .NET folds the Kelvin sign (U+212A) to 'k' when ignoring case; an ordinal search for "kelvin" would not find it.
        var rule = new ResponseRule("test-kelvin", new Regex("kelvin", ProviderPackLoader.PatternOptions), SignalKind.Other, null, false, "");

        Assert.Same(rule, new RuleSet([rule]).FirstMatch("550 \u212Aelvin"));
    }
}
