namespace Postmaster.Core.Posture;

/// <summary>How one posture check came out. Unknown is never shown as pass: a DNS timeout or SERVFAIL is unknown.</summary>
public enum PostureStatus
{
    Pass,
    Warn,
    Fail,
    Unknown,
}

/// <summary>
/// One line of the posture checklist: a check's <see cref="PostureCheckNames">name</see>, how it came
/// out, what was found (DNS text in it is bounded and free of control characters; pages encode it),
/// and for every status but pass the one thing to do about it.
/// </summary>
public sealed record PostureCheck(string Name, PostureStatus Status, string Detail, string? Fix)
{
    public static PostureCheck Pass(string name, string detail) => new(name, PostureStatus.Pass, detail, null);

    public static PostureCheck Warn(string name, string detail, string fix) => new(name, PostureStatus.Warn, detail, fix);

    public static PostureCheck Fail(string name, string detail, string fix) => new(name, PostureStatus.Fail, detail, fix);

    public static PostureCheck Unknown(string name, string detail, string fix) => new(name, PostureStatus.Unknown, detail, fix);
}

/// <summary>The check names, as PRODUCT.md's <c>GET /api/posture/{asset}</c> contract spells them.</summary>
public static class PostureCheckNames
{
    public const string ReverseDns = "ptr";
    public const string Fcrdns = "fcrdns";
    public const string Helo = "helo";
    public const string Website = "website";
    public const string Spf = "spf";
    public const string Dmarc = "dmarc";
    public const string Dkim = "dkim";
    public const string Mx = "mx";
    public const string MtaSts = "mta-sts";

    /// <summary>In the order a checklist shows them: the address's facts, then the domain's.</summary>
    public static readonly IReadOnlyList<string> All = [ReverseDns, Fcrdns, Helo, Website, Spf, Dmarc, Dkim, Mx, MtaSts];
}

public static class PostureStatusNames
{
    public static string ToApi(this PostureStatus status) => status switch
    {
        PostureStatus.Pass => "pass",
        PostureStatus.Warn => "warn",
        PostureStatus.Fail => "fail",
        _ => "unknown",
    };

    public static PostureStatus Parse(string? text) => text switch
    {
        "pass" => PostureStatus.Pass,
        "warn" => PostureStatus.Warn,
        "fail" => PostureStatus.Fail,
        _ => PostureStatus.Unknown,
    };

    /// <summary>
    /// The status of several results together: a known failure first (it needs doing whatever else
    /// is unknown), then unknown (a pass cannot be claimed for what was not seen), then warn, then pass.
    /// </summary>
    public static PostureStatus Worst(IEnumerable<PostureStatus> statuses)
    {
        var all = statuses.ToList();
        if (all.Count == 0)
        {
            return PostureStatus.Unknown;
        }

        return all.Contains(PostureStatus.Fail) ? PostureStatus.Fail
            : all.Contains(PostureStatus.Unknown) ? PostureStatus.Unknown
            : all.Contains(PostureStatus.Warn) ? PostureStatus.Warn
            : PostureStatus.Pass;
    }
}
