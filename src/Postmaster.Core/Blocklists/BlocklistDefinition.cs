using System.Net;

namespace Postmaster.Core.Blocklists;

/// <summary>What a blocklist lists: connecting IPs (DNSBL) or domains (RHSBL/URI lists).</summary>
public enum ListedThing
{
    Ip,
    Domain,
}

/// <summary>How an answer that the list does not document is read.</summary>
public enum UndocumentedCodePolicy
{
    /// <summary>Not trusted either way: the list documents its codes and answered something else.</summary>
    Unknown,

    /// <summary>For lists whose codes are not documented at all: any 127/8 answer that is not an error is a listing.</summary>
    Listed,
}

/// <summary>One documented return code.</summary>
public sealed record ReturnCode(string Category, string Severity, string Meaning, bool Listed = true);

public sealed record QueryPolicy(bool? RefusesPublicResolvers, bool KeyRequired, long? FreeDailyQueries, string? Notes);

public sealed record TestPoints(IReadOnlyList<string> Listed, IReadOnlyList<string> NotListed);

/// <summary>
/// A blocklist as the catalog describes it: how to query it and how to read its answers. Codes are
/// keyed by the answer address (for bitmask lists: by each single-bit address, e.g. 127.0.0.8).
/// </summary>
public sealed record BlocklistDefinition
{
    public required string Slug { get; init; }

    public required string Name { get; init; }

    /// <summary>The zone as the catalog spells it, without a trailing dot.</summary>
    public required string Zone { get; init; }

    /// <summary>A template with {key} for keyed access (Spamhaus DQS, Abusix), or null.</summary>
    public string? KeyedZone { get; init; }

    public ListedThing Lists { get; init; }

    public bool Ipv6 { get; init; }

    public string Provider { get; init; } = "";

    /// <summary>How much a listing here costs a sender (incident severity starts from it).</summary>
    public Incidents.ProviderWeight Weight { get; init; } = Incidents.ProviderWeight.Moderate;

    public bool Bitmask { get; init; }

    public IReadOnlyDictionary<IPAddress, ReturnCode> Codes { get; init; } = new Dictionary<IPAddress, ReturnCode>();

    public IReadOnlyDictionary<IPAddress, string> ErrorCodes { get; init; } = new Dictionary<IPAddress, string>();

    public UndocumentedCodePolicy UndocumentedCodes { get; init; }

    public TestPoints TestPoints { get; init; } = new([], []);

    public string? DelistUrl { get; init; }

    public string? DelistProcedure { get; init; }

    public string? AutoExpiry { get; init; }

    public QueryPolicy QueryPolicy { get; init; } = new(null, false, null, null);

    public bool EnabledByDefault { get; init; } = true;

    public string? Notes { get; init; }

    /// <summary>The zone to query: the keyed form when a key is given, else the public zone.</summary>
    public string QueryZone(string? key) =>
        KeyedZone is not null && !string.IsNullOrWhiteSpace(key) ? KeyedZone.Replace("{key}", key.Trim(), StringComparison.Ordinal) : Zone;

    /// <summary>The RFC 5782 §5 test points unless the list documents its own.</summary>
    public TestPoints EffectiveTestPoints()
    {
        var listed = TestPoints.Listed.Count > 0 ? TestPoints.Listed : DefaultListed();
        var notListed = TestPoints.NotListed.Count > 0 ? TestPoints.NotListed : DefaultNotListed();
        return new TestPoints(listed, notListed);
    }

    private List<string> DefaultListed() => Lists == ListedThing.Domain
        ? ["test"]
        : Ipv6 ? ["127.0.0.2", "::ffff:7f00:2"] : ["127.0.0.2"];

    private List<string> DefaultNotListed() => Lists == ListedThing.Domain
        ? ["invalid"]
        : Ipv6 ? ["127.0.0.1", "::ffff:7f00:1"] : ["127.0.0.1"];
}
