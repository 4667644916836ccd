namespace Postmaster.Core.Requests;

/// <summary>One posture check of one IP or domain (PRODUCT.md, Posture): <c>pass</c>, <c>warn</c>, <c>fail</c> or <c>unknown</c>.</summary>
public sealed record PostureCheck(string Value, string Name, string Status, string Detail);

/// <summary>The worst status of one check over the asset group's values, with the detail of the value that set it.</summary>
public sealed record PostureSummary(string Status, string Detail);

/// <summary>
/// The posture of the incident's asset group, as a template reads it: every check, and per check
/// name the worst status over the group's values. A check nobody ran is <c>unknown</c>, never a pass.
/// </summary>
public sealed record PostureFacts(IReadOnlyList<PostureCheck> Checks)
{
    public const string Pass = "pass";
    public const string Warn = "warn";
    public const string Fail = "fail";
    public const string Unknown = "unknown";

    /// <summary>The checks, as the posture API names them (<c>mta-sts</c>; the model's variable is <c>mtaSts</c>).</summary>
    public static readonly IReadOnlyList<string> Names = ["ptr", "fcrdns", "helo", "website", "spf", "dmarc", "dkim", "mx", "mta-sts"];

    /// <summary>The checks that concern an IP; the others concern a domain.</summary>
    public static readonly IReadOnlyList<string> IpNames = ["ptr", "fcrdns", "helo", "website"];

    public static readonly PostureFacts None = new([]);

    public PostureSummary Of(string name)
    {
        var checks = Checks.Where(c => c.Name == name).ToList();
        if (checks.Count == 0)
        {
            return new PostureSummary(Unknown, "not checked");
        }

        var worst = checks.MaxBy(c => Rank(c.Status))!;
        return new PostureSummary(Normal(worst.Status), worst.Detail);
    }

    /// <summary>True only when every check of every name ran and passed.</summary>
    public bool AllPass => Checks.Count > 0 && Names.All(n => Of(n).Status == Pass);

    // Worst first: a failure, then a warning, then what nobody knows; a pass only when nothing else.
    private static int Rank(string status) => Normal(status) switch
    {
        Fail => 3,
        Warn => 2,
        Unknown => 1,
        _ => 0,
    };

    private static string Normal(string status) => status is Pass or Warn or Fail ? status : Unknown;
}
