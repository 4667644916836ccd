using System.Text.Json;
using System.Text.RegularExpressions;

namespace Postmaster.Core.Signals;

public sealed class ProviderPackException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads every templates/providers/&lt;slug&gt;/provider.json (and examples.json) and validates them; an
/// error names the file, and the line for JSON errors, so a broken pack stops start-up with a message
/// that says where to look.
/// </summary>
public static class ProviderPackLoader
{
    /// <summary>Patterns run with the non-backtracking engine: linear time whatever a hostile reply holds.</summary>
    public const RegexOptions PatternOptions = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static IReadOnlyList<ProviderPack> LoadAll(string providersDirectory)
    {
        if (!Directory.Exists(providersDirectory))
        {
            throw new ProviderPackException($"{providersDirectory}: the provider packs folder does not exist.");
        }

        var packs = new List<ProviderPack>();
        var ruleIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in Directory.GetDirectories(providersDirectory).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(dir, "provider.json");
            if (!File.Exists(file))
            {
                continue;
            }

            var pack = Load(file, Path.GetFileName(dir));
            foreach (var rule in pack.Rules)
            {
                if (!ruleIds.Add(rule.Id))
                {
                    throw new ProviderPackException($"{file}: rule id '{rule.Id}' is used by another rule too; rule ids must be unique across packs.");
                }
            }

            packs.Add(pack);
        }

        return packs;
    }

    public static ProviderPack Load(string file, string folderName)
    {
        PackFile raw;
        try
        {
            using var stream = File.OpenRead(file);
            raw = JsonSerializer.Deserialize<PackFile>(stream, Json) ?? throw new ProviderPackException($"{file}: empty file.");
        }
        catch (JsonException e)
        {
            throw new ProviderPackException($"{file}, line {e.LineNumber + 1}: {e.Message}", e);
        }

        if (raw.Slug != folderName)
        {
            throw new ProviderPackException($"{file}: slug '{raw.Slug}' must equal the folder name '{folderName}'.");
        }

        var role = raw.Role switch
        {
            "receiver" => ProviderRole.Receiver,
            "gateway" => ProviderRole.Gateway,
            "blocklist-operator" => ProviderRole.BlocklistOperator,
            "generic" => ProviderRole.Generic,
            _ => throw new ProviderPackException($"{file}: role '{raw.Role}' is not receiver, gateway, blocklist-operator or generic."),
        };

        var rules = new List<ResponseRule>();
        for (var i = 0; i < raw.Rules.Count; i++)
        {
            var r = raw.Rules[i];
            var where = $"{file}: rules[{i}] ({r.Id})";
            if (string.IsNullOrWhiteSpace(r.Id) || !r.Id.StartsWith(raw.Slug + "-", StringComparison.Ordinal))
            {
                throw new ProviderPackException($"{where}: a rule id must start with '{raw.Slug}-'.");
            }

            var kind = SignalNames.ParseKind(r.Kind) ?? throw new ProviderPackException($"{where}: kind '{r.Kind}' is not one of ip-reputation, blocklist, rate-limit, auth, content, policy, user-unknown, other.");
            Regex pattern;
            try
            {
                pattern = new Regex(r.Pattern ?? "", PatternOptions);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw new ProviderPackException($"{where}: the pattern does not compile without backtracking: {e.Message}", e);
            }

            rules.Add(new ResponseRule(r.Id, pattern, kind, r.Blocklist, r.IdentifiesProvider, r.Description ?? ""));
        }

        return new ProviderPack(
            raw.Slug,
            raw.Name ?? raw.Slug,
            role,
            raw.RecipientDomains.Select(d => d.Trim().TrimEnd('.').ToLowerInvariant()).ToList(),
            raw.MxPatterns.Select(p => p.Trim().TrimEnd('.').ToLowerInvariant()).ToList(),
            raw.QuietSenderReset is { AfterDays: > 0 } q ? new QuietSenderReset(q.AfterDays, q.Note, q.Source) : null,
            raw.Remediation is { } m ? new Remediation(m.Channel ?? "form", m.Url, m.Email, m.TurnaroundDays, m.FollowUpDays, m.Notes) : null,
            rules,
            Incidents.ProviderWeights.Parse(raw.Weight)
                ?? throw new ProviderPackException($"{file}: weight '{raw.Weight}' is not one of {Incidents.ProviderWeights.Names}."));
    }

    public static IReadOnlyList<ProviderExample> LoadExamples(string providersDirectory)
    {
        var examples = new List<ProviderExample>();
        foreach (var dir in Directory.GetDirectories(providersDirectory).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(dir, "examples.json");
            if (!File.Exists(file))
            {
                continue;
            }

            List<ExampleFile> raw;
            try
            {
                using var stream = File.OpenRead(file);
                raw = JsonSerializer.Deserialize<List<ExampleFile>>(stream, Json) ?? [];
            }
            catch (JsonException e)
            {
                throw new ProviderPackException($"{file}, line {e.LineNumber + 1}: {e.Message}", e);
            }

            examples.AddRange(raw.Select(e => new ProviderExample(
                Path.GetFileName(dir), e.Rule ?? "", e.Response ?? "", e.RecipientDomain, e.Mx,
                e.Expect?.Provider, SignalNames.ParseKind(e.Expect?.Kind) ?? SignalKind.Other, e.Expect?.Blocklist, e.Source)));
        }

        return examples;
    }

    private sealed class PackFile
    {
        public string Slug { get; set; } = "";

        public string? Name { get; set; }

        public string? Role { get; set; }

        public List<string> RecipientDomains { get; set; } = [];

        public List<string> MxPatterns { get; set; } = [];

        public QuietFile? QuietSenderReset { get; set; }

        public RemediationFile? Remediation { get; set; }

        public string? Weight { get; set; }

        public List<RuleFile> Rules { get; set; } = [];
    }

    private sealed class QuietFile
    {
        public int AfterDays { get; set; }

        public string? Note { get; set; }

        public string? Source { get; set; }
    }

    private sealed class RemediationFile
    {
        public string? Channel { get; set; }

        public string? Url { get; set; }

        public string? Email { get; set; }

        public int? TurnaroundDays { get; set; }

        public int? FollowUpDays { get; set; }

        public string? Notes { get; set; }
    }

    private sealed class RuleFile
    {
        public string Id { get; set; } = "";

        public string? Pattern { get; set; }

        public string? Kind { get; set; }

        public string? Blocklist { get; set; }

        public bool IdentifiesProvider { get; set; }

        public string? Description { get; set; }
    }

    private sealed class ExampleFile
    {
        public string? Rule { get; set; }

        public string? Response { get; set; }

        public string? RecipientDomain { get; set; }

        public string? Mx { get; set; }

        public ExpectFile? Expect { get; set; }

        public string? Source { get; set; }
    }

    private sealed class ExpectFile
    {
        public string? Provider { get; set; }

        public string? Kind { get; set; }

        public string? Blocklist { get; set; }
    }
}
