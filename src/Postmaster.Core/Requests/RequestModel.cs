namespace Postmaster.Core.Requests;

/// <summary>
/// Everything a request template may read (templates/providers/REQUESTS.md, "The Liquid model"):
/// the incident and its evidence, the organisation profile, the posture, the sender, the time, and
/// what the person says was fixed. Built by the app from stored facts; values from outside
/// (rejection text, TXT reasons, labels) are data here and are never evaluated.
/// </summary>
public sealed record RequestModel(
    RequestIncident Incident,
    OrganisationFacts Org,
    PostureFacts Posture,
    SenderFacts Sender,
    DateTimeOffset Now,
    string Fixed,
    RemediationFacts Remediation);

/// <summary>The incident as a template sees it. <see cref="Values"/> holds at most <see cref="RequestIncident.MaxValues"/>.</summary>
public sealed record RequestIncident(
    long Id,
    string Url,
    string Provider,
    string ProviderName,
    string AssetGroup,
    bool InInventory,
    string State,
    string Severity,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastActivityAt,
    long AffectedCount,
    IReadOnlyList<string> CitedBy,
    IReadOnlyList<RequestValue> Values,
    IReadOnlyList<RequestSample> Samples,
    string? ReplyAddress,
    string? Reference)
{
    public const int MaxValues = 100;
    public const int MaxSamples = 5;

    public bool ValuesTruncated => AffectedCount > Values.Count;

    public IReadOnlyList<string> Ips => Distinct(Values.Where(v => v.Kind == RequestValue.Ip).Select(v => v.Value));

    public IReadOnlyList<string> Domains => Distinct(Values.Where(v => v.Kind == RequestValue.Domain).Select(v => v.Value));

    public IReadOnlyList<string> Zones => Distinct(Values.Select(v => v.Zone).OfType<string>());

    /// <summary>Listing return codes and rejection codes, each once, in the order first met.</summary>
    public IReadOnlyList<string> Codes => Distinct(Values.SelectMany(v => v.Codes));

    private static List<string> Distinct(IEnumerable<string> items) => items.Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxValues).ToList();
}

/// <summary>An affected value: an IP or domain, the list that lists it (<see cref="Zone"/>) or the receiver that refuses it.</summary>
public sealed record RequestValue(
    string Value,
    string Kind,
    string? Zone,
    string? Receiver,
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> Categories,
    string? Reason,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen)
{
    public const string Ip = "ip";
    public const string Domain = "domain";
}

/// <summary>A rejection as the receiver sent it, with when, from which IP, to which domain and MX.</summary>
public sealed record RequestSample(DateTimeOffset At, string? SourceIp, string? RecipientDomain, string? Mx, string Text);

/// <summary>The organisation profile (Settings → Organisation); empty strings and lists when not filled.</summary>
public sealed record OrganisationFacts(
    string Company,
    string Website,
    string ImprintUrl,
    string ContactName,
    string ContactEmail,
    string ContactPhone,
    string PostmasterAddress,
    string AbuseAddress,
    string OptIn,
    string BounceHandling,
    string ComplaintHandling,
    string ListHygiene,
    IReadOnlyList<MailStreamFacts> Streams,
    IReadOnlyList<string> FeedbackLoops)
{
    public static readonly OrganisationFacts Empty = new("", "", "", "", "", "", "", "", "", "", "", "", [], []);

    /// <summary>The facts a provider may ask for (a template's <c>needs</c>), by their model names.</summary>
    public static readonly IReadOnlyList<string> FactNames =
    [
        "company", "website", "imprintUrl", "contactName", "contactEmail", "contactPhone", "postmasterAddress",
        "abuseAddress", "optIn", "bounceHandling", "complaintHandling", "listHygiene", "streams", "feedbackLoops",
    ];

    public long DailyVolume => Streams.Sum(s => s.DailyVolume);

    /// <summary>Daily volume per provider slug, summed over the streams.</summary>
    public IReadOnlyDictionary<string, long> VolumeTo => Streams
        .SelectMany(s => s.PerProvider)
        .GroupBy(p => p.Key, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Sum(p => p.Value), StringComparer.Ordinal);

    /// <summary>Whether the profile holds the named fact (a non-blank text, a non-empty list).</summary>
    public bool Has(string fact) => fact switch
    {
        "company" => Filled(Company),
        "website" => Filled(Website),
        "imprintUrl" => Filled(ImprintUrl),
        "contactName" => Filled(ContactName),
        "contactEmail" => Filled(ContactEmail),
        "contactPhone" => Filled(ContactPhone),
        "postmasterAddress" => Filled(PostmasterAddress),
        "abuseAddress" => Filled(AbuseAddress),
        "optIn" => Filled(OptIn),
        "bounceHandling" => Filled(BounceHandling),
        "complaintHandling" => Filled(ComplaintHandling),
        "listHygiene" => Filled(ListHygiene),
        "streams" => Streams.Count > 0,
        "feedbackLoops" => FeedbackLoops.Count > 0,
        _ => false,
    };

    /// <summary>The facts of <paramref name="needs"/> the profile lacks (a draft's <c>missingFacts</c>).</summary>
    public IReadOnlyList<string> Missing(IEnumerable<string> needs) => needs.Where(n => !Has(n)).ToList();

    private static bool Filled(string text) => !string.IsNullOrWhiteSpace(text);
}

/// <summary>One mail stream: its kind (transactional, marketing, notifications, other), what it is, and its daily volume overall and per provider.</summary>
public sealed record MailStreamFacts(string Kind, string Description, long DailyVolume, IReadOnlyDictionary<string, long> PerProvider)
{
    public static readonly IReadOnlyList<string> Kinds = ["transactional", "marketing", "notifications", "other"];
}

/// <summary>
/// The provider pack's remediation (an addition to the contract's model: <c>remediation</c>): its
/// channel, page, address and notes, "" where the pack says nothing. Lets a generic template
/// address a provider that has no template of its own.
/// </summary>
public sealed record RemediationFacts(string Channel, string Url, string Email, string Notes)
{
    public static readonly RemediationFacts None = new("", "", "", "");
}

/// <summary>The sender of requests (<c>Postmaster:Requests:From</c>, <c>:ReplyTo</c>).</summary>
public sealed record SenderFacts(string From, string ReplyTo);
