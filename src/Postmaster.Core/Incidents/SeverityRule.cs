namespace Postmaster.Core.Incidents;

/// <summary>
/// How much a block by this provider or list costs a sender, as the catalog and provider packs
/// rate it: Spamhaus SBL, Microsoft consumer mail and Gmail weigh most, UCEPROTECT level 3 least.
/// </summary>
public enum ProviderWeight
{
    Minor,
    Moderate,
    Major,
    Severe,
}

/// <summary>Severity from the provider's weight and the share of the asset group that is blocked.</summary>
public static class SeverityRule
{
    /// <summary>
    /// The weight sets the level. Half a range or more blocked (a range of 16 addresses or more:
    /// for one address, "all of it" is just the weight) makes it one step worse; a sliver of a
    /// range (under 5 %) one step milder.
    /// </summary>
    public static IncidentSeverity Assess(ProviderWeight weight, long affected, long groupSize)
    {
        var severity = (IncidentSeverity)(int)weight;
        if (groupSize <= 0 || affected <= 0)
        {
            return severity;
        }

        var share = (double)affected / groupSize;
        if (share >= 0.5 && groupSize >= 16 && severity < IncidentSeverity.Critical)
        {
            return severity + 1;
        }

        return share < 0.05 && severity > IncidentSeverity.Low ? severity - 1 : severity;
    }
}

/// <summary>The weights as the catalog and provider packs spell them.</summary>
public static class ProviderWeights
{
    public const string Names = "minor, moderate, major, severe";

    /// <summary>The weight named; an absent one is <see cref="ProviderWeight.Moderate"/>; null when the name is not a weight.</summary>
    public static ProviderWeight? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "moderate" => ProviderWeight.Moderate,
        "minor" => ProviderWeight.Minor,
        "major" => ProviderWeight.Major,
        "severe" => ProviderWeight.Severe,
        _ => null,
    };

    public static string Name(ProviderWeight weight) => weight.ToString().ToLowerInvariant();

    /// <summary>
    /// A listing weighs what its list weighs, one step less when every code it answered is rated
    /// medium or milder by the catalog (Spamhaus PBL inside ZEN weighs less than SBL).
    /// </summary>
    public static ProviderWeight OfListing(ProviderWeight listWeight, IEnumerable<string> codeSeverities)
    {
        var severities = codeSeverities.ToList();
        var mild = severities.Count > 0 && severities.All(s => s is "medium" or "low" or "info");
        return mild && listWeight > ProviderWeight.Minor ? listWeight - 1 : listWeight;
    }
}
