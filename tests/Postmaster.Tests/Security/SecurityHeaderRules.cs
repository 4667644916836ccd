using System.Text.RegularExpressions;

namespace Postmaster.Tests.Security;

/// <summary>What every answer must tell the browser, read from the answer's headers.</summary>
internal static partial class SecurityHeaderRules
{
    /// <summary>Each rule the answer breaks, as a sentence; empty when it keeps them all.</summary>
    public static IReadOnlyList<string> Broken(HttpResponseMessage response)
    {
        var broken = new List<string>();
        var csp = Header(response, "Content-Security-Policy");
        if (csp is null)
        {
            broken.Add("no Content-Security-Policy");
        }
        else
        {
            var directives = Directives(csp);
            var scripts = directives.GetValueOrDefault("script-src") ?? directives.GetValueOrDefault("default-src");
            if (scripts is null)
            {
                broken.Add("no script-src or default-src in the policy");
            }
            else if (scripts.Contains("'unsafe-inline'") || scripts.Contains("*"))
            {
                broken.Add($"script-src allows inline or any script: {string.Join(' ', scripts)}");
            }

            var styles = directives.GetValueOrDefault("style-src") ?? directives.GetValueOrDefault("default-src") ?? [];
            if (styles.Contains("'unsafe-inline'") || styles.Contains("*") || directives.ContainsKey("style-src-attr") || directives.ContainsKey("style-src-elem"))
            {
                broken.Add($"styles are not limited to the app's own files: {string.Join(' ', styles)}");
            }

            if (directives.GetValueOrDefault("frame-ancestors") is not ["'none'"])
            {
                broken.Add("frame-ancestors is not 'none'");
            }
        }

        if (!string.Equals(Header(response, "X-Content-Type-Options"), "nosniff", StringComparison.OrdinalIgnoreCase))
        {
            broken.Add("no X-Content-Type-Options: nosniff");
        }

        if (Header(response, "Referrer-Policy") is not ("no-referrer" or "same-origin" or "strict-origin" or "strict-origin-when-cross-origin"))
        {
            broken.Add("no Referrer-Policy that keeps paths to the app");
        }

        if (!string.Equals(Header(response, "X-Frame-Options"), "DENY", StringComparison.OrdinalIgnoreCase))
        {
            broken.Add("no X-Frame-Options: DENY");
        }

        return broken;
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    /// <summary>Directive name to its source list (CSP level 3 §2.2: names are case-insensitive).</summary>
    public static Dictionary<string, string[]> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(parts => parts[0].ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.First()[1..]); // the first of a repeated directive wins (§2.2.1)

    /// <summary>
    /// Inline script or style the policy would refuse: a script element without src, an on* attribute,
    /// a style element or a style attribute.
    /// </summary>
    public static IEnumerable<string> InlineScriptOrStyle(string html) =>
        InlineScriptElement().Matches(html).Concat(HandlerAttribute().Matches(html))
            .Concat(InlineStyle().Matches(html)).Select(m => m.Value);

    [GeneratedRegex(@"<script\b(?![^>]*\bsrc\s*=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScriptElement();

    [GeneratedRegex(@"<[a-z][^>]*\son[a-z]+\s*=[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex HandlerAttribute();

    [GeneratedRegex(@"<style\b[^>]*>|<[a-z][^>]*\sstyle\s*=[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineStyle();
}
