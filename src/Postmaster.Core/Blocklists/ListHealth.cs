namespace Postmaster.Core.Blocklists;

public enum ListHealthState
{
    /// <summary>Not checked yet.</summary>
    Unchecked,

    Healthy,

    /// <summary>Failed its test points: its answers are not trusted until it passes again.</summary>
    Quarantined,

    /// <summary>The list refuses our resolver (public resolver, rate limit): nothing it says can be used.</summary>
    ResolverRefused,
}

public sealed record ListHealth(ListHealthState State, string Detail);

/// <summary>One test point's outcome in a health check.</summary>
public sealed record TestPointResult(string Point, bool ExpectListed, BlocklistAnswer Answer, BlocklistVerdict Verdict);

/// <summary>
/// Judges a list by its RFC 5782 §5 test points: the listed one must answer inside 127.0.0.0/8,
/// the unlisted one must not be found. A list that "lists" 127.0.0.1 lists everything (dead zones
/// with wildcards do) and would page people for nothing.
/// </summary>
public static class ListHealthEvaluator
{
    public static ListHealth Evaluate(BlocklistDefinition list, IReadOnlyList<TestPointResult> results)
    {
        if (results.FirstOrDefault(r => r.Verdict.ResolverRefused) is { } refused)
        {
            var fix = list.KeyedZone is not null
                ? "Query it through your own recursive resolver (Postmaster:Dns:Servers), or set a key for its keyed zone."
                : "Query it through your own recursive resolver (Postmaster:Dns:Servers), not a public or shared one.";
            return new ListHealth(ListHealthState.ResolverRefused, $"{list.Name} refused our query for test point {refused.Point}: {refused.Verdict.UnknownReason} {fix}");
        }

        foreach (var result in results.Where(r => !r.ExpectListed))
        {
            if (result.Answer.Status == LookupStatus.Answered && result.Answer.Addresses.Count > 0)
            {
                return new ListHealth(ListHealthState.Quarantined,
                    $"{list.Name} answers {string.Join(", ", result.Answer.Addresses)} for {result.Point}, which must never be listed: the list is broken or lists everything, so its answers are not trusted.");
            }

            if (result.Answer.Status != LookupStatus.NotFound)
            {
                return new ListHealth(ListHealthState.Quarantined, $"{list.Name} did not answer test point {result.Point}: {result.Verdict.UnknownReason}");
            }
        }

        foreach (var result in results.Where(r => r.ExpectListed))
        {
            if (result.Answer.Status == LookupStatus.NotFound)
            {
                return new ListHealth(ListHealthState.Quarantined,
                    $"{list.Name} does not list its test point {result.Point}: the zone may be gone or not served by this resolver.");
            }

            if (result.Verdict.Outcome == ListingOutcome.Unknown && result.Answer.Status != LookupStatus.Answered)
            {
                return new ListHealth(ListHealthState.Quarantined, $"{list.Name} did not answer test point {result.Point}: {result.Verdict.UnknownReason}");
            }

            if (result.Answer.Addresses.Any(a => a.GetAddressBytes() is not [127, _, _, _]))
            {
                return new ListHealth(ListHealthState.Quarantined, $"{list.Name} answered its test point with {string.Join(", ", result.Answer.Addresses)}, outside 127.0.0.0/8.");
            }
        }

        return new ListHealth(ListHealthState.Healthy, $"Test points answered as documented ({string.Join(", ", results.Select(r => r.Point))}).");
    }
}
