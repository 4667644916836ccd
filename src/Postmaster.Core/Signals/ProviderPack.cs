using System.Text.RegularExpressions;

namespace Postmaster.Core.Signals;

public enum ProviderRole
{
    Receiver,
    Gateway,
    BlocklistOperator,
    Generic,
}

/// <summary>A response rule: a pattern over the folded reply text, and what a match means.</summary>
public sealed record ResponseRule(string Id, Regex Pattern, SignalKind Kind, string? Blocklist, bool IdentifiesProvider, string Description);

/// <summary>Receivers known to forget IPs that stopped sending (T-Online: after a long pause, "unknown" again).</summary>
public sealed record QuietSenderReset(int AfterDays, string? Note, string? Source);

public sealed record Remediation(string Channel, string? Url, string? Email, int? TurnaroundDays, int? FollowUpDays, string? Notes);

/// <summary>Everything Postmaster knows about one receiver, gateway or blocklist operator (templates/providers/&lt;slug&gt;).</summary>
public sealed record ProviderPack(
    string Slug,
    string Name,
    ProviderRole Role,
    IReadOnlyList<string> RecipientDomains,
    IReadOnlyList<string> MxPatterns,
    QuietSenderReset? QuietSenderReset,
    Remediation? Remediation,
    IReadOnlyList<ResponseRule> Rules,
    Incidents.ProviderWeight Weight = Incidents.ProviderWeight.Moderate);

/// <summary>An example rejection from a pack's examples.json: the pack's own test case.</summary>
public sealed record ProviderExample(string Pack, string Rule, string Response, string? RecipientDomain, string? Mx, string? ExpectProvider, SignalKind ExpectKind, string? ExpectBlocklist, string? Source);
