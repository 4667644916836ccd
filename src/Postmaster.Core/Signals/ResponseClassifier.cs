using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace Postmaster.Core.Signals;

/// <summary>
/// Names the provider and the kind of block behind an SMTP reply, from the provider packs:
/// the provider by MX pattern, then recipient domain, then an identifying rule; the kind by the first
/// matching rule of that provider's pack, then of the blocklist operators' packs, then the generic pack; a provider's
/// signature rule (kind other) yields to a blocklist or generic rule that names the reason.
/// A DNSBL zone named in the text ("blocked using b.barracudacentral.org") is mapped to its operator.
/// Thread-safe; results are cached by the reply with its message-specific tokens masked.
/// </summary>
public sealed class ResponseClassifier
{
    private const int CacheLimit = 50_000;

    private readonly IReadOnlyList<ProviderPack> _packs;
    private readonly Dictionary<string, ProviderPack> _bySlug;
    private readonly Dictionary<string, ProviderPack> _byDomain = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderPack> _byMxExact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderPack> _byMxSuffix = new(StringComparer.Ordinal);
    private readonly RuleIndex _index;
    private readonly ProviderPack? _generic;
    private readonly ResponseRule? _lastResort;
    private readonly IReadOnlyList<(string Zone, string Operator)> _zones;
    private readonly SearchValues<string> _anyZone;
    private readonly ConcurrentDictionary<(string Text, string? Hint), Classification> _cache = new();

    /// <param name="packs">The provider packs.</param>
    /// <param name="blocklistZones">Zone → operator slug, from the blocklist catalog.</param>
    public ResponseClassifier(IReadOnlyList<ProviderPack> packs, IEnumerable<KeyValuePair<string, string>> blocklistZones)
    {
        _packs = packs;
        _bySlug = packs.ToDictionary(p => p.Slug, StringComparer.Ordinal);
        foreach (var pack in packs)
        {
            foreach (var domain in pack.RecipientDomains)
            {
                _byDomain.TryAdd(domain, pack);
            }

            foreach (var pattern in pack.MxPatterns)
            {
                if (pattern.StartsWith("*.", StringComparison.Ordinal))
                {
                    _byMxSuffix.TryAdd(pattern[1..], pack);
                }
                else
                {
                    _byMxExact.TryAdd(pattern, pack);
                }
            }
        }

        _index = new RuleIndex(packs);
        _generic = packs.FirstOrDefault(p => p.Role == ProviderRole.Generic);
        _lastResort = _generic?.Rules.Count > 0 ? _generic.Rules[^1] : null;
        _zones = blocklistZones.Select(z => (z.Key.ToLowerInvariant(), z.Value)).OrderByDescending(z => z.Item1.Length).ToList();
        _anyZone = SearchValues.Create([.. _zones.Select(z => z.Zone).Distinct(StringComparer.Ordinal)], StringComparison.OrdinalIgnoreCase);
    }

    public IReadOnlyList<ProviderPack> Packs => _packs;

    public ProviderPack? Pack(string? slug) => slug is not null && _bySlug.TryGetValue(slug, out var pack) ? pack : null;

    /// <summary>The provider that owns a recipient domain or MX host, without looking at any reply.</summary>
    public ProviderPack? ProviderFor(string? recipientDomain, string? mx) => ByMx(mx) ?? ByDomain(recipientDomain);

    /// <summary>An outcome: a delivery names its provider but never a kind; a refusal is classified by its reply.</summary>
    public Classification Classify(DeliveryOutcome outcome) => outcome.Status == DeliveryStatus.Delivered
        ? new Classification(ProviderFor(outcome.RecipientDomain, outcome.Mx)?.Slug, null, null, null)
        : Classify(outcome.Response, outcome.RecipientDomain, outcome.Mx);

    public Classification Classify(string? response, string? recipientDomain = null, string? mx = null)
    {
        var hint = ProviderFor(recipientDomain, mx);
        if (string.IsNullOrWhiteSpace(response) || IsPositive(response))
        {
            // A 2xx reply refuses nothing: no rule applies, and its unique ids would only churn the cache.
            return new Classification(hint?.Slug, null, null, null);
        }

        var text = ResponseText.Fold(response);

        var key = (Mask(text), hint?.Slug);
        if (_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var result = ClassifyText(text, hint);
        if (_cache.Count >= CacheLimit)
        {
            _cache.Clear(); // bounded: a flood of distinct replies cannot grow memory
        }

        _cache[key] = result;
        return result;
    }

    private static bool IsPositive(string response)
    {
        var start = response.AsSpan().TrimStart();
        return start.Length >= 3 && start[0] == '2' && char.IsAsciiDigit(start[1]) && char.IsAsciiDigit(start[2]);
    }

    private Classification ClassifyText(string text, ProviderPack? provider)
    {
        if (provider is null && _index.Identifying.FirstMatch(text) is { } identifying)
        {
            provider = _index.IdentifiedBy[identifying];
        }

        var match = provider is null ? null : _index.ByPack[provider].FirstMatch(text);
        if (match is null || IsSignature(match))
        {
            // A provider's signature rule (kind other, identifying) names who answered, not why: a blocklist or
            // generic rule that knows the reason wins over it, except the generic pack's last resort on the status code.
            var general = _index.Operators.FirstMatch(text) ?? (_generic is null ? null : _index.ByPack[_generic].FirstMatch(text));
            if (match is null || (general is not null && general.Kind != SignalKind.Other && !ReferenceEquals(general, _lastResort)))
            {
                match = general;
            }
        }

        if (match is null)
        {
            return new Classification(provider?.Slug, provider is null ? null : SignalKind.Other, ZoneOperator(text), null);
        }

        var blocklist = match.Blocklist ?? ZoneOperator(text);
        var kind = match.Kind == SignalKind.Other && blocklist is not null && match.Blocklist is null ? SignalKind.Blocklist : match.Kind;
        return new Classification(provider?.Slug, kind, blocklist, match.Id);
    }

    private static bool IsSignature(ResponseRule rule) => rule is { Kind: SignalKind.Other, IdentifiesProvider: true, Blocklist: null };

    private string? ZoneOperator(string text)
    {
        // Most replies name no zone: one vectorised search over all of them says so (on ASCII text, where it and
        // Contains below agree on case for certain).
        if (Ascii.IsValid(text) && text.AsSpan().IndexOfAny(_anyZone) < 0)
        {
            return null;
        }

        foreach (var (zone, op) in _zones)
        {
            if (text.Contains(zone, StringComparison.OrdinalIgnoreCase))
            {
                return op;
            }
        }

        return null;
    }

    private ProviderPack? ByMx(string? mx)
    {
        if (string.IsNullOrWhiteSpace(mx))
        {
            return null;
        }

        var host = mx.Trim().TrimEnd('.').ToLowerInvariant();
        if (_byMxExact.TryGetValue(host, out var exact))
        {
            return exact;
        }

        // "*.pphosted.com" matches any host with at least one label before ".pphosted.com".
        for (var dot = host.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = host.IndexOf('.', dot + 1))
        {
            if (_byMxSuffix.TryGetValue(host[dot..], out var pack))
            {
                return pack;
            }
        }

        return null;
    }

    private ProviderPack? ByDomain(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return null;
        }

        var name = domain.Trim().TrimEnd('.').ToLowerInvariant();
        return _byDomain.GetValueOrDefault(name);
    }

    /// <summary>Each pack's rules; the identifying rules of all receivers and gateways, in pack order; all operators' rules, in pack order.</summary>
    private sealed class RuleIndex
    {
        public RuleIndex(IReadOnlyList<ProviderPack> packs)
        {
            ByPack = packs.ToDictionary<ProviderPack, ProviderPack, RuleSet>(p => p, p => new RuleSet(p.Rules), ReferenceEqualityComparer.Instance);
            var identifying = packs.Where(p => p.Role is ProviderRole.Receiver or ProviderRole.Gateway)
                .SelectMany(p => p.Rules.Where(r => r.IdentifiesProvider).Select(r => (Pack: p, Rule: r))).ToList();
            Identifying = new RuleSet(identifying.Select(i => i.Rule).ToList());
            IdentifiedBy = identifying.ToDictionary<(ProviderPack Pack, ResponseRule Rule), ResponseRule, ProviderPack>(i => i.Rule, i => i.Pack, ReferenceEqualityComparer.Instance);
            Operators = new RuleSet(packs.Where(p => p.Role == ProviderRole.BlocklistOperator).SelectMany(p => p.Rules).ToList());
        }

        public Dictionary<ProviderPack, RuleSet> ByPack { get; }

        public RuleSet Identifying { get; }

        public Dictionary<ResponseRule, ProviderPack> IdentifiedBy { get; }

        public RuleSet Operators { get; }
    }

    /// <summary>Masks tokens with many digits (queue ids, message ids, IP addresses) so replies that differ only there share a cache entry.</summary>
    private static string Mask(string text)
    {
        var builder = new StringBuilder(text.Length);
        var start = 0;
        while (start < text.Length)
        {
            var end = start;
            var digits = 0;
            while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '.' or '-' or '_' or ':'))
            {
                digits += char.IsAsciiDigit(text[end]) ? 1 : 0;
                end++;
            }

            if (end == start)
            {
                builder.Append(text[start]);
                start++;
                continue;
            }

            // "XGEMAIL_0011" or "LPN005_510" is a reason code, not an id: it must stay, so only long tokens with many digits go.
            if (end - start >= 12 && (digits >= 6 || (digits >= 4 && end - start >= 16)))
            {
                builder.Append('#');
            }
            else
            {
                builder.Append(text, start, end - start);
            }

            start = end;
        }

        return builder.ToString();
    }
}
