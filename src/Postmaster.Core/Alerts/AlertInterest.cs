using Postmaster.Core.Incidents;

namespace Postmaster.Core.Alerts;

/// <summary>
/// What a person asked to be told about: the kinds, the providers (none named: every provider) and
/// the least severity. An alert without a provider or severity (a quarantined list, a failed sweep)
/// passes those two filters: it concerns everyone who wants its kind.
/// </summary>
public sealed record AlertInterest(IReadOnlySet<string> Kinds, IReadOnlySet<string> Providers, IncidentSeverity? MinimumSeverity)
{
    public bool Wants(string kind, string? provider, IncidentSeverity? severity) =>
        Kinds.Contains(kind)
        && (Providers.Count == 0 || provider is null || Providers.Contains(provider))
        && (MinimumSeverity is not { } least || severity is not { } actual || actual >= least);

    /// <summary>Reads the comma-separated lists the subscription row keeps.</summary>
    public static IReadOnlySet<string> Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
