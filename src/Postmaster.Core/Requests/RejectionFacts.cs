using System.Text.RegularExpressions;

namespace Postmaster.Core.Requests;

/// <summary>
/// What a delisting request quotes out of a rejection: its codes, an address it asks the sender to
/// write to, a reference it printed. The shapes come from the packs' real examples
/// (templates/providers/*/examples.json): Microsoft <c>(S3150)</c> and <c>[AS3140]</c>, T-Online
/// <c>(NOWL)</c> <c>(BL)</c> and "contact tosa@rx.t-online.de", Yahoo <c>TSS04</c>, GMX's
/// <c>r=</c> reference, Mail.ru's "Error code:".
/// </summary>
public static partial class RejectionFacts
{
    private const int MaxTextLength = 4000;

    /// <summary>The codes in a rejection, each once: enhanced status codes and the provider's own.</summary>
    public static IEnumerable<string> Codes(string? text, string? enhancedCode = null)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(enhancedCode) && seen.Add(enhancedCode.Trim()))
        {
            yield return enhancedCode.Trim();
        }

        var bounded = Bounded(text);
        foreach (var match in ProviderCode().Matches(bounded).Concat(EnhancedCode().Matches(bounded)))
        {
            var code = match.Groups["code"].Value;
            if (seen.Add(code))
            {
                yield return code;
            }
        }
    }

    /// <summary>The first address a rejection asks the sender to contact ("contact tosa@…", "report details to abuse@…"), else null.</summary>
    public static string? ReplyAddress(IEnumerable<string?> texts) =>
        texts.Select(t => AskedAddress().Match(Bounded(t))).FirstOrDefault(m => m.Success)?.Groups["address"].Value;

    /// <summary>A reference the rejection printed for the provider's support (GMX's <c>r=</c>, Mail.ru's error code), else null.</summary>
    public static string? Reference(IEnumerable<string?> texts) =>
        texts.Select(t => PrintedReference().Match(Bounded(t))).FirstOrDefault(m => m.Success)?.Groups["ref"].Value;

    private static string Bounded(string? text) => text is null ? "" : text.Length <= MaxTextLength ? text : text[..MaxTextLength];

    // (S3150), [AS3140], (NOWL), (BL), [SC-001], TSS04 — the provider codes the packs' examples carry.
    [GeneratedRegex(@"(?:[\[(](?<code>A?S\d{3,8}|[A-Z]{2,6}|[A-Z]{2}-\d{3})[\])])|(?:(?<![A-Za-z0-9])(?<code>TSS?\d{2})(?![A-Za-z0-9]))", RegexOptions.CultureInvariant)]
    private static partial Regex ProviderCode();

    // RFC 3463 enhanced status codes (5.7.606), not the first three parts of an IP address.
    [GeneratedRegex(@"(?<![\d.])(?<code>[245]\.\d{1,3}\.\d{1,3})(?![\d.])", RegexOptions.CultureInvariant)]
    private static partial Regex EnhancedCode();

    // "to contact tosa@rx.t-online.de", "contacttobr@rx.t-online.de" (sic, T-Online), "report details to abuse@corp.mail.ru".
    [GeneratedRegex(@"(?:contact|write to|mail to|report details to|e-?mail)\s*<?(?<address>[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,24})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AskedAddress();

    // GMX: "...&r=1MNcgj-1ue23t3pyV-00S2YR"; Mail.ru: "Error code: B2431B7E…".
    [GeneratedRegex(@"(?:[?&]r=(?<ref>[A-Za-z0-9-]{10,64}))|(?:Error code:\s*(?<ref>[A-F0-9]{16,128}))", RegexOptions.CultureInvariant)]
    private static partial Regex PrintedReference();
}
