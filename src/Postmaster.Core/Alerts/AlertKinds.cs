namespace Postmaster.Core.Alerts;

/// <summary>One kind of alert: its name as PRODUCT.md spells it, and what it means to the person who gets it.</summary>
public sealed record AlertKind(string Name, string Title, string Meaning, bool AboutIncident);

/// <summary>PRODUCT.md's alert kinds (contract: webhook receivers match on the names).</summary>
public static class AlertKinds
{
    public const string IncidentOpened = "incident-opened";
    public const string IncidentReopened = "incident-reopened";
    public const string IncidentSeverityRaised = "incident-severity-raised";
    public const string IncidentResolved = "incident-resolved";
    public const string FollowUpDue = "follow-up-due";
    public const string ReplyOverdue = "reply-overdue";
    public const string ListQuarantined = "list-quarantined";
    public const string ResolverRefused = "resolver-refused";
    public const string SweepFailed = "sweep-failed";
    public const string QuietIpHigh = "quiet-ip-high";

    /// <summary>"Send test alert": not a kind anyone subscribes to or switches off.</summary>
    public const string Test = "test";

    /// <summary>Several alerts stacked into one message.</summary>
    public const string Digest = "digest";

    public static IReadOnlyList<AlertKind> All { get; } =
    [
        new(IncidentOpened, "Incident opened", "A new block: a list lists an address or domain of yours, or a provider refuses your mail.", true),
        new(IncidentReopened, "Incident reopened", "A block that had cleared came back within the reopen window.", true),
        new(IncidentSeverityRaised, "Severity raised", "More of the asset group is blocked (or a person raised the severity).", true),
        new(IncidentResolved, "Incident resolved", "Clean checks (or mail accepted again) ended a block.", true),
        new(FollowUpDue, "Follow-up due", "A delisting request's follow-up date has come.", true),
        new(ReplyOverdue, "Reply overdue", "A provider has not answered a request within its usual time.", true),
        new(ListQuarantined, "List quarantined", "A blocklist failed its test points: its answers are not trusted, so what it covers is unchecked.", false),
        new(ResolverRefused, "Resolver refused", "A blocklist refuses the resolver Postmaster asks through: nothing it says can be used.", false),
        new(SweepFailed, "Sweep failed", "A sweep checked nothing (no list could be asked) or broke off.", false),
        new(QuietIpHigh, "Quiet IP at high risk", "A sending IP has been silent so long at a provider that forgets quiet senders that it may lose its reputation there.", false),
    ];

    public static AlertKind? Find(string? name) => All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.Ordinal));

    public static bool IsKnown(string? name) => Find(name) is not null;
}
