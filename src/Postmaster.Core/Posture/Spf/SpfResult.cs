namespace Postmaster.Core.Posture.Spf;

/// <summary>The results of check_host() (RFC 7208 §2.6).</summary>
public enum SpfOutcome
{
    Pass,
    Fail,
    SoftFail,
    Neutral,
    None,
    PermError,
    TempError,
}

/// <summary>Why an evaluation ended in none, permerror or temperror: each needs another fix.</summary>
public enum SpfProblem
{
    NoRecord,
    NoSuchDomain,
    MultipleRecords,
    Syntax,
    TooManyLookups,
    TooManyVoidLookups,
    TooManyMxRecords,
    IncludeWithoutRecord,
    Dns,
}

/// <summary>
/// One evaluation: the outcome, a sentence saying what decided it (which mechanism of which
/// record matched, or what went wrong), the problem behind an error, and the lookups it took.
/// </summary>
public sealed record SpfResult(SpfOutcome Outcome, string Reason, SpfProblem? Problem, int Lookups, int VoidLookups)
{
    public static string ToApi(SpfOutcome outcome) => outcome switch
    {
        SpfOutcome.Pass => "pass",
        SpfOutcome.Fail => "fail",
        SpfOutcome.SoftFail => "softfail",
        SpfOutcome.Neutral => "neutral",
        SpfOutcome.None => "none",
        SpfOutcome.PermError => "permerror",
        _ => "temperror",
    };
}
