using System.Net.Sockets;

namespace Postmaster.Core.Posture;

/// <summary>The domain checks: <c>dmarc</c>, <c>dkim</c>, <c>mx</c> and <c>mta-sts</c>, each from its own DNS records.</summary>
public static class DomainPosture
{
    /// <summary>Selectors tried when none is set for a domain: the defaults of common MTAs and mail services.</summary>
    public static readonly IReadOnlyList<string> CommonSelectors =
        ["default", "dkim", "mail", "selector1", "selector2", "google", "k1", "s1", "s2", "smtp", "email"];

    private const string Resolver = "Check that the resolver (Postmaster:Dns:Servers) and the domain's name servers answer, then refresh.";

    /// <summary>
    /// DMARC at _dmarc.domain, else at the organisational domain (RFC 7489 §6.6.3: the public
    /// suffix plus one label, by the Public Suffix List when there is one).
    /// </summary>
    public static async Task<PostureCheck> DmarcAsync(string domain, IPostureDns dns, PublicSuffixes suffixes, CancellationToken ct)
    {
        const string name = PostureCheckNames.Dmarc;
        var organisational = suffixes.OrganisationalDomain(domain) is { } org && !org.Equals(domain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase) ? org : null;
        var (at, answer) = ($"_dmarc.{domain}", await dns.TxtAsync($"_dmarc.{domain}", ct));
        var inherited = false;
        if (answer.IsVoid || (answer.Status == DnsAnswerStatus.Found && !answer.Records.Any(DmarcRecord.IsDmarc)))
        {
            if (organisational is not null)
            {
                var parent = await dns.TxtAsync($"_dmarc.{organisational}", ct);
                if (parent.Status == DnsAnswerStatus.Failed || parent.Records.Any(DmarcRecord.IsDmarc))
                {
                    (at, answer, inherited) = ($"_dmarc.{organisational}", parent, true);
                }
            }
        }

        if (answer.Status == DnsAnswerStatus.Failed)
        {
            return PostureCheck.Unknown(name, $"The DMARC lookup got no answer: {answer.Error}.", Resolver);
        }

        var records = answer.Records.Where(DmarcRecord.IsDmarc).ToList();
        if (records.Count == 0)
        {
            return PostureCheck.Fail(name, $"{domain} publishes no DMARC record (_dmarc.{domain}).",
                $"Publish a TXT record at _dmarc.{domain}: \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\" (Gmail, Yahoo and Outlook require one from bulk senders), then move to p=quarantine.");
        }

        if (records.Count > 1)
        {
            return PostureCheck.Fail(name, $"{at} has {records.Count} DMARC records, so receivers apply none (RFC 7489 §6.6.3).",
                $"Keep one DMARC record at {at}.");
        }

        var (record, error) = DmarcRecord.Parse(records[0]);
        if (record is null)
        {
            return PostureCheck.Fail(name, $"The DMARC record at {at} is not valid: {error}. Record: {PostureText.Bound(records[0], 200)}",
                $"Correct the record at {at}, as \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\".");
        }

        var policy = inherited ? record.SubdomainPolicy ?? record.Policy : record.Policy;
        var source = inherited ? $"inherited from {at}{(record.SubdomainPolicy is null ? "" : " (its sp=)")}" : $"at {at}";
        var reports = record.AggregateReports is null ? "; no rua=, so no aggregate reports come back" : "";
        if (policy == "none")
        {
            return PostureCheck.Warn(name, $"DMARC p=none {source}: receivers only report, they do not act on failing mail{reports}.",
                "Once the aggregate reports show your mail passing SPF or DKIM aligned, move to p=quarantine, then p=reject.");
        }

        if (record.Percent < 100)
        {
            return PostureCheck.Warn(name, $"DMARC p={policy} {source}, but only for pct={record.Percent} % of failing mail{reports}.",
                "Raise pct to 100 (or drop pct=) once the reports show your own mail passing.");
        }

        return PostureCheck.Pass(name, $"DMARC p={policy} {source}{reports}.");
    }

    /// <summary>
    /// DKIM keys at <c>selector._domainkey.domain</c> for the selectors set for the domain; with none
    /// set, the <see cref="CommonSelectors"/> are tried, and what they find is at most a warning
    /// (the selectors the mail really signs with are not known).
    /// </summary>
    public static async Task<PostureCheck> DkimAsync(string domain, IReadOnlyList<string> selectors, IPostureDns dns, CancellationToken ct)
    {
        const string name = PostureCheckNames.Dkim;
        var guessed = selectors.Count == 0;
        var tried = guessed ? CommonSelectors : selectors;
        var results = new List<(string Selector, PostureStatus Status, string Detail, string? Fix, DkimKey? Key)>();
        foreach (var selector in tried)
        {
            var at = $"{selector}._domainkey.{domain}";
            var answer = await dns.TxtAsync(at, ct);
            if (answer.Status == DnsAnswerStatus.Failed)
            {
                results.Add((selector, PostureStatus.Unknown, $"{selector}: no answer ({answer.Error})", Resolver, null));
                continue;
            }

            var text = answer.Records.FirstOrDefault(t => t.Contains("p=", StringComparison.Ordinal));
            if (text is null)
            {
                if (!guessed)
                {
                    results.Add((selector, PostureStatus.Fail, $"{selector}: no key at {at}",
                        $"Publish the public key of selector {selector} at {at} (your MTA or mail service shows it), or remove the selector if you no longer sign with it.", null));
                }

                continue;
            }

            var (key, error) = DkimKey.Parse(text);
            results.Add(key switch
            {
                null => (selector, PostureStatus.Fail, $"{selector}: not a DKIM key ({error})", $"Publish a valid key record at {at}: \"v=DKIM1; k=rsa; p=<base64 public key>\".", null),
                { Revoked: true } => (selector, PostureStatus.Fail, $"{selector}: the key is revoked (empty p=)", $"Sign with a selector whose key is published, or publish the key at {at}.", key),
                { Algorithm: "rsa", Bits: < 1024 } => (selector, PostureStatus.Fail, $"{selector}: RSA {key.Bits}-bit, too small: receivers ignore signatures with keys under 1024 bits (RFC 8301 §3.2)",
                    $"Generate a 2048-bit RSA key, publish it under a new selector and sign with it.", key),
                { Algorithm: "rsa", Bits: < 2048 } => (selector, PostureStatus.Warn, $"{selector}: RSA {key.Bits}-bit (RFC 8301 asks signers for 2048)",
                    "Move to a 2048-bit RSA key under a new selector.", key),
                { Testing: true } => (selector, PostureStatus.Warn, $"{selector}: {Describe(key)} in test mode (t=y): receivers may treat signed mail as unsigned",
                    $"Remove t=y from the record at {at}.", key),
                _ => (selector, PostureStatus.Pass, $"{selector}: {Describe(key)}", null, key),
            });
        }

        if (results.Count == 0)
        {
            return PostureCheck.Unknown(name, $"No selector is set for {domain}, and none of the common ones ({PostureText.List([.. CommonSelectors], 20)}) has a key.",
                "Set the selectors your mail is signed with (the s= of its DKIM-Signature header) for this domain.");
        }

        var keys = results.Where(r => r.Key is { Revoked: false }).Select(r => r.Key!).ToList();
        var status = PostureStatusNames.Worst(results.Select(r => r.Status));
        var detail = (guessed ? "No selector is set; found by trying common ones: " : "") + string.Join("; ", results.Select(r => r.Detail)) + ".";
        var fix = results.FirstOrDefault(r => r.Status == status).Fix;
        if (status == PostureStatus.Pass && keys.Count > 0 && keys.All(k => k.Algorithm == "ed25519"))
        {
            (status, fix) = (PostureStatus.Warn, "Sign with an RSA key as well: many receivers verify only RSA (RFC 8463 suggests signing with both).");
        }

        if (guessed && status == PostureStatus.Pass)
        {
            (status, fix) = (PostureStatus.Warn, "Set the selectors your mail is signed with for this domain, so each one is checked rather than guessed.");
        }

        return new PostureCheck(name, status, detail, status == PostureStatus.Pass ? null : fix);
    }

    public static async Task<PostureCheck> MxAsync(string domain, IPostureDns dns, CancellationToken ct)
    {
        const string name = PostureCheckNames.Mx;
        var answer = await dns.MxAsync(domain, ct);
        switch (answer.Status)
        {
            case DnsAnswerStatus.Failed:
                return PostureCheck.Unknown(name, $"The MX lookup got no answer: {answer.Error}.", Resolver);
            case DnsAnswerStatus.NoSuchName:
                return PostureCheck.Fail(name, $"{domain} does not exist in DNS (NXDOMAIN).", $"Register {domain} or correct its delegation: receivers refuse mail from domains that do not exist.");
        }

        if (answer.Records.Any(m => m.IsNullMx))
        {
            return PostureCheck.Fail(name, $"{domain} publishes a null MX (RFC 7505): it takes no mail, so bounces and replies cannot reach it, and receivers may refuse mail from it (RFC 7505 §4.2).",
                $"Publish MX records for {domain} that accept mail, at least for postmaster@ and bounces.");
        }

        if (answer.Records.Count == 0)
        {
            var a = await dns.AddressesAsync(domain, AddressFamily.InterNetwork, ct);
            if (a.Status == DnsAnswerStatus.Failed)
            {
                return PostureCheck.Unknown(name, $"{domain} has no MX, and its A lookup got no answer: {a.Error}.", Resolver);
            }

            return a.Records.Count > 0
                ? PostureCheck.Warn(name, $"{domain} has no MX; mail to it goes to its A record {a.Records[0]} (RFC 5321 §5.1).", $"Publish an MX record for {domain} naming the host that takes its mail.")
                : PostureCheck.Fail(name, $"{domain} has no MX and no address: bounces and replies to it cannot be delivered.", $"Publish an MX record for {domain}, so postmaster@{domain} and bounces reach you.");
        }

        var hosts = answer.Records.OrderBy(m => m.Preference).Take(10).ToList();
        var missing = new List<string>();
        var unknown = new List<string>();
        foreach (var mx in hosts)
        {
            var v4 = await dns.AddressesAsync(mx.Host, AddressFamily.InterNetwork, ct);
            var v6 = v4.Records.Count > 0 ? v4 : await dns.AddressesAsync(mx.Host, AddressFamily.InterNetworkV6, ct);
            if (v4.Records.Count == 0 && v6.Records.Count == 0)
            {
                (v4.Status == DnsAnswerStatus.Failed || v6.Status == DnsAnswerStatus.Failed ? unknown : missing).Add(AddressPosture.Shown(mx.Host));
            }
        }

        var listed = PostureText.List([.. hosts.Select(m => $"{m.Preference} {AddressPosture.Shown(m.Host)}")], 4);
        if (missing.Count == hosts.Count)
        {
            return PostureCheck.Fail(name, $"MX {listed}: none of them has an address.", $"Give the MX hosts of {domain} A or AAAA records, or point the MX at hosts that have them.");
        }

        if (unknown.Count > 0)
        {
            return PostureCheck.Unknown(name, $"MX {listed}; the address lookup of {PostureText.List(unknown, 3)} got no answer.", Resolver);
        }

        return missing.Count > 0
            ? PostureCheck.Warn(name, $"MX {listed}; {PostureText.List(missing, 3)} has no address.", $"Remove {missing[0]} from the MX of {domain}, or give it an address.")
            : PostureCheck.Pass(name, $"MX {listed}.");
    }

    /// <summary>
    /// MTA-STS (RFC 8461): the _mta-sts TXT record always; the policy file over HTTPS only when
    /// website checks are on. Without the file nothing says the policy is served: unknown.
    /// </summary>
    public static async Task<PostureCheck> MtaStsAsync(string domain, bool fetchPolicy, WebsiteProbe probe, IPostureDns dns, CancellationToken ct)
    {
        const string name = PostureCheckNames.MtaSts;
        var answer = await dns.TxtAsync($"_mta-sts.{domain}", ct);
        var policyUrl = new Uri($"https://mta-sts.{domain}/.well-known/mta-sts.txt");
        if (answer.Status == DnsAnswerStatus.Failed)
        {
            return PostureCheck.Unknown(name, $"The _mta-sts lookup got no answer: {answer.Error}.", Resolver);
        }

        var records = answer.Records.Where(r => r.StartsWith("v=STSv1", StringComparison.Ordinal)).ToList();
        const string publish = "Publish an MTA-STS policy (RFC 8461): a TXT record _mta-sts.{0} \"v=STSv1; id=20250101\" and the policy at https://mta-sts.{0}/.well-known/mta-sts.txt, so mail to {0} cannot be downgraded to plain text.";
        if (records.Count == 0)
        {
            return PostureCheck.Warn(name, $"{domain} has no MTA-STS policy (no TXT record at _mta-sts.{domain}).", string.Format(System.Globalization.CultureInfo.InvariantCulture, publish, domain));
        }

        if (records.Count > 1)
        {
            return PostureCheck.Fail(name, $"_mta-sts.{domain} has {records.Count} STSv1 records, so senders treat {domain} as having no policy (RFC 8461 §3.1).", $"Keep one TXT record at _mta-sts.{domain}.");
        }

        var (id, error) = MtaStsPolicy.ParseRecord(records[0]);
        if (id is null)
        {
            return PostureCheck.Fail(name, $"The record at _mta-sts.{domain} is not valid: {error}.", $"Correct it to \"v=STSv1; id=<letters and digits>\".");
        }

        if (!fetchPolicy)
        {
            return PostureCheck.Unknown(name, $"The _mta-sts TXT record announces a policy (id={id}); the policy file itself was not fetched, as website checks are off (Postmaster:Posture:CheckWebsites).",
                $"Turn on Postmaster:Posture:CheckWebsites to check it, or open {policyUrl} yourself.");
        }

        var fetched = await probe.GetAsync(policyUrl, dns, followRedirects: false, ct);
        if (!fetched.Succeeded)
        {
            return fetched.DnsFailed
                ? PostureCheck.Unknown(name, $"The policy could not be fetched: {fetched.Error}.", Resolver)
                : PostureCheck.Fail(name, $"The _mta-sts record announces a policy, but it could not be fetched: {fetched.Error}.",
                    $"Serve the policy at {policyUrl} over HTTPS with a valid certificate, or remove the _mta-sts record.");
        }

        var (policy, policyError) = MtaStsPolicy.Parse(fetched.Body!);
        if (policy is null)
        {
            return PostureCheck.Fail(name, $"The policy at {policyUrl} is not valid: {policyError}.", "Correct the policy file: version: STSv1, mode, mx and max_age lines (RFC 8461 §3.2).");
        }

        if (policy.Mode != "none")
        {
            var mx = await dns.MxAsync(domain, ct);
            var uncovered = mx.Records.Where(m => !m.IsNullMx && !policy.Covers(m.Host)).Select(m => AddressPosture.Shown(m.Host)).ToList();
            if (uncovered.Count > 0)
            {
                return policy.Mode == "enforce"
                    ? PostureCheck.Fail(name, $"MTA-STS mode enforce, but the MX {PostureText.List(uncovered, 3)} matches none of its mx lines: enforcing senders will not deliver to it.", $"Add mx: {uncovered[0]} to the policy (and change its id).")
                    : PostureCheck.Warn(name, $"MTA-STS mode testing; the MX {PostureText.List(uncovered, 3)} matches none of its mx lines.", $"Add mx: {uncovered[0]} to the policy before moving to enforce.");
            }
        }

        return policy.Mode switch
        {
            "enforce" => PostureCheck.Pass(name, $"MTA-STS mode enforce (id={id}), max_age {policy.MaxAge:N0} s."),
            "testing" => PostureCheck.Warn(name, $"MTA-STS mode testing (id={id}): senders report failures but still deliver.", "Move the policy to mode: enforce once TLS reports show no failures."),
            _ => PostureCheck.Warn(name, $"MTA-STS mode none (id={id}): the policy is withdrawn.", string.Format(System.Globalization.CultureInfo.InvariantCulture, publish, domain)),
        };
    }

    private static string Describe(DkimKey key) => key.Algorithm == "ed25519" ? "Ed25519 key" : $"RSA {key.Bits}-bit";
}
