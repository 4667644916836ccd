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

/// <summary>Why a list failed its health check, so lists that failed for the same reason can be reported as one.</summary>
public enum ListHealthCause
{
    None,

    /// <summary>The resolver or the list refused the query (REFUSED, or a documented "public resolver" code).</summary>
    Refused,

    /// <summary>No usable answer: a timeout, SERVFAIL or another DNS error.</summary>
    NoAnswer,

    /// <summary>The listed test point was not found (NXDOMAIN): the zone is gone or this resolver does not reach it.</summary>
    TestPointMissing,

    /// <summary>The list answered "listed" for the test point that must never be listed.</summary>
    ListsEverything,

    /// <summary>The test point's answer lies outside 127.0.0.0/8 (a lapsed zone's wildcard).</summary>
    AnswerOutsideLoopback,

    /// <summary>The list's own facts cannot be read.</summary>
    InvalidDefinition,
}

/// <summary>
/// A health check's verdict. <paramref name="Answered"/> is what the resolver said when the check failed
/// ("NXDOMAIN", "no answer before the timeout", "127.255.255.254"), for a reason a person can act on.
/// </summary>
public sealed record ListHealth(ListHealthState State, string Detail, ListHealthCause Cause = ListHealthCause.None, string? Answered = null);

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
            return new ListHealth(ListHealthState.ResolverRefused, $"{list.Name} refused our query for test point {refused.Point}: {refused.Verdict.UnknownReason} {fix}",
                ListHealthCause.Refused, Answered(refused.Answer));
        }

        foreach (var result in results.Where(r => !r.ExpectListed))
        {
            if (result.Answer.Status == LookupStatus.Answered && result.Answer.Addresses.Count > 0)
            {
                return new ListHealth(ListHealthState.Quarantined,
                    $"{list.Name} answers {string.Join(", ", result.Answer.Addresses)} for {result.Point}, which must never be listed: the list is broken or lists everything, so its answers are not trusted.",
                    ListHealthCause.ListsEverything, Answered(result.Answer));
            }

            if (result.Answer.Status != LookupStatus.NotFound)
            {
                return new ListHealth(ListHealthState.Quarantined, $"{list.Name} did not answer test point {result.Point}: {result.Verdict.UnknownReason}",
                    ListHealthCause.NoAnswer, Answered(result.Answer));
            }
        }

        foreach (var result in results.Where(r => r.ExpectListed))
        {
            if (result.Answer.Status == LookupStatus.NotFound)
            {
                return new ListHealth(ListHealthState.Quarantined,
                    $"{list.Name} does not list its test point {result.Point}: the zone may be gone or not served by this resolver.",
                    ListHealthCause.TestPointMissing, Answered(result.Answer));
            }

            if (result.Verdict.Outcome == ListingOutcome.Unknown && result.Answer.Status != LookupStatus.Answered)
            {
                return new ListHealth(ListHealthState.Quarantined, $"{list.Name} did not answer test point {result.Point}: {result.Verdict.UnknownReason}",
                    ListHealthCause.NoAnswer, Answered(result.Answer));
            }

            if (result.Answer.Addresses.Any(a => a.GetAddressBytes() is not [127, _, _, _]))
            {
                return new ListHealth(ListHealthState.Quarantined, $"{list.Name} answered its test point with {string.Join(", ", result.Answer.Addresses)}, outside 127.0.0.0/8.",
                    ListHealthCause.AnswerOutsideLoopback, Answered(result.Answer));
            }
        }

        return new ListHealth(ListHealthState.Healthy, $"Test points answered as documented ({string.Join(", ", results.Select(r => r.Point))}).");
    }

    /// <summary>What the resolver answered, as DNS people write it.</summary>
    public static string Answered(BlocklistAnswer answer) => answer.Status switch
    {
        LookupStatus.Answered => string.Join(", ", answer.Addresses),
        LookupStatus.NotFound => "NXDOMAIN",
        LookupStatus.Timeout => "no answer before the timeout",
        LookupStatus.ServerFailure => "SERVFAIL",
        LookupStatus.Refused => "REFUSED",
        _ => answer.Detail ?? "a DNS error",
    };
}
