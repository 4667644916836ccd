namespace Postmaster.Core.Requests;

/// <summary>
/// The built-in incidents templates are checked against at start-up. <see cref="Full"/> fills every
/// name of the model (a listed IP, a refused IP, a listed domain, rejections, a complete profile,
/// a passing posture) so that a strict render finds every name a template uses that the model
/// lacks. <see cref="Sparse"/> is the other extreme, a new installation's first incident: nothing
/// filled, nothing checked; a template must still render it.
/// </summary>
public static class SampleRequestModel
{
    private static readonly DateTimeOffset Opened = new(2026, 12, 6, 8, 40, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 15, 0, TimeSpan.Zero);

    public static RequestModel Full(string provider, string providerName, IEnumerable<string> providers)
    {
        var slugs = providers.Append(provider).Distinct(StringComparer.Ordinal).ToList();
        var incident = new RequestIncident(
            Id: 4711,
            Url: "https://postmaster.example.com/incidents/4711",
            Provider: provider,
            ProviderName: providerName,
            AssetGroup: "pool-a (203.0.113.0/28)",
            InInventory: true,
            State: "open",
            Severity: "high",
            OpenedAt: Opened,
            LastActivityAt: Now.AddHours(-1),
            AffectedCount: 3,
            CitedBy: ["microsoft"],
            Values:
            [
                new RequestValue("203.0.113.9", RequestValue.Ip, "zen.spamhaus.org", provider, ["127.0.0.2", "S3150"], ["sbl", "ip-reputation"],
                    "Listed by SBL, see https://check.spamhaus.org/sbl/query/SBL000000", Opened, Now.AddHours(-1)),
                new RequestValue("203.0.113.10", RequestValue.Ip, "bl.spamcop.net", provider, ["127.0.0.2", "5.7.606"], ["blocklist"],
                    "Blocked - see https://www.spamcop.net/bl.shtml?203.0.113.10", Opened.AddMinutes(5), Now.AddHours(-2)),
                new RequestValue("mail.example.com", RequestValue.Domain, "dbl.spamhaus.org", provider, ["127.0.1.2"], ["spam-domain"],
                    "https://check.spamhaus.org/listed/?searchterm=mail.example.com", Opened.AddMinutes(9), Now.AddHours(-3)),
            ],
            Samples:
            [
                new RequestSample(Now.AddHours(-1), "203.0.113.9", "outlook.com", "outlook-com.olc.protection.outlook.com",
                    "550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)."),
                new RequestSample(Now.AddHours(-2), "203.0.113.10", "hotmail.com", "hotmail-com.olc.protection.outlook.com",
                    "554 IP=203.0.113.10 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)"),
            ],
            ReplyAddress: "tosa@rx.t-online.de",
            Reference: "1MNcgj-1ue23t3pyV-00S2YR");
        var everyProvider = slugs.ToDictionary(s => s, _ => 1_000L, StringComparer.Ordinal);
        var org = new OrganisationFacts(
            Company: "Example Mail GmbH",
            Website: "https://www.example.com",
            ImprintUrl: "https://www.example.com/imprint",
            ContactName: "Jane Operator",
            ContactEmail: "jane@example.com",
            ContactPhone: "+49 30 1234567",
            PostmasterAddress: "postmaster@example.com",
            AbuseAddress: "abuse@example.com",
            OptIn: "Double opt-in: every address confirms a link we mail to it before it gets anything else.",
            BounceHandling: "Hard bounces suppress the address at once; soft bounces after 5 in 14 days.",
            ComplaintHandling: "Feedback-loop complaints unsubscribe the address within minutes.",
            ListHygiene: "Addresses without an open or click in 12 months are no longer mailed.",
            Streams:
            [
                new MailStreamFacts("transactional", "Password resets, receipts", 40_000, everyProvider),
                new MailStreamFacts("marketing", "Weekly newsletter", 120_000, everyProvider),
            ],
            FeedbackLoops: ["Microsoft SNDS", "Microsoft JMRP", "Yahoo CFL"]);
        var posture = new PostureFacts(
        [
            .. PostureFacts.IpNames.Select(n => new PostureCheck("203.0.113.9", n, PostureFacts.Pass, "mail1.example.com")),
            .. PostureFacts.Names.Except(PostureFacts.IpNames).Select(n => new PostureCheck("example.com", n, PostureFacts.Pass, n == "dmarc" ? "v=DMARC1; p=reject" : "ok")),
        ]);
        return new RequestModel(incident, org, posture, new SenderFacts("postmaster@example.com", "requests@example.com"), Now,
            "Closed the open relay on 203.0.113.9 and removed the compromised account on 2026-12-06.",
            new RemediationFacts("form", "https://postmaster.example.net/delist", "postmaster@example.net", "Send the IPs and the full SMTP response."));
    }

    public static RequestModel Sparse(string provider, string providerName) => new(
        new RequestIncident(1, "/incidents/1", provider, providerName, "198.51.100.7", false, "open", "medium", Opened, Opened, 0, [], [], [], null, null),
        OrganisationFacts.Empty,
        PostureFacts.None,
        new SenderFacts("", ""),
        Now,
        "",
        RemediationFacts.None);
}
