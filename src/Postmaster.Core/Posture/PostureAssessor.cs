using System.Net;
using System.Net.Sockets;
using Postmaster.Core.Assets;
using Postmaster.Core.Posture.Spf;

namespace Postmaster.Core.Posture;

/// <summary>
/// What to check for one asset, with the inventory around it already chosen and bounded by the
/// caller: the addresses to look at (one, or a sample of a range), the HELO names, the sending
/// domains or addresses to pair it with for SPF, and the DKIM selectors set for a domain. The
/// counts say how many there were in all, so a check can say how many it looked at.
/// </summary>
public sealed record PostureSubject(
    AssetKind Kind,
    string Value,
    IReadOnlyList<IPAddress> Addresses,
    long AddressCount,
    IReadOnlyList<string> HeloNames,
    IReadOnlyList<string> SpfDomains,
    long SpfDomainCount,
    IReadOnlyList<IPAddress> SpfAddresses,
    long SpfAddressCount,
    IReadOnlyList<string> DkimSelectors);

/// <summary>The checklist of one asset, and for an address the sending domains whose SPF passes it (drafts name them).</summary>
public sealed record PostureReport(IReadOnlyList<PostureCheck> Checks, IReadOnlyList<string> SpfPassDomains);

/// <summary>Runs the checks that fit an asset's kind: an address or range gets ptr, fcrdns, helo, website and spf; a domain spf, dmarc, dkim, mx and mta-sts; a HELO name helo.</summary>
public sealed class PostureAssessor(IPostureDns dns, WebsiteProbe probe, bool checkWebsites, PublicSuffixes suffixes)
{
    private readonly Dictionary<string, Task<PostureCheck>> _websites = new(StringComparer.OrdinalIgnoreCase);

    public async Task<PostureReport> AssessAsync(PostureSubject subject, CancellationToken ct) => subject.Kind switch
    {
        AssetKind.Ip or AssetKind.Range => await AddressesAsync(subject, ct),
        AssetKind.Domain => await DomainAsync(subject, ct),
        _ => new PostureReport([await HeloNameAsync(subject.Value, ct)], []),
    };

    /// <summary><paramref name="count"/> addresses of a range, evenly spread from its first to its last; every one when it holds no more.</summary>
    public static IReadOnlyList<IPAddress> Sample(AssetValue asset, int count)
    {
        var total = asset.AddressCount;
        if (total <= count)
        {
            return [.. asset.Addresses()];
        }

        var step = (double)(total - 1) / (count - 1);
        return [.. Enumerable.Range(0, count).Select(i => asset.Addresses((long)Math.Round(i * step), 1).First())];
    }

    private async Task<PostureReport> AddressesAsync(PostureSubject subject, CancellationToken ct)
    {
        var perAddress = new List<(IPAddress Ip, PostureCheck[] Checks)>();
        var pairs = new List<SpfPair>();
        var spf = new SpfEvaluator(dns);
        foreach (var ip in subject.Addresses)
        {
            var facts = await AddressFacts.GatherAsync(ip, dns, ct);
            perAddress.Add((ip, [
                AddressPosture.ReverseDns(facts),
                AddressPosture.ForwardConfirmed(facts),
                AddressPosture.Helo(facts, subject.HeloNames),
                await WebsiteAsync(facts, ct),
            ]));
            foreach (var domain in subject.SpfDomains)
            {
                pairs.Add(new SpfPair(ip, domain, await spf.CheckHostAsync(ip, domain, facts.Confirmed is { Count: > 0 } c ? c[0] : null, ct)));
            }
        }

        var single = subject.Kind == AssetKind.Ip;
        var checks = new List<PostureCheck>();
        for (var i = 0; i < 4; i++)
        {
            checks.Add(single
                ? perAddress[0].Checks[i]
                : AddressPosture.Combine(perAddress[0].Checks[i].Name, [.. perAddress.Select(p => (p.Ip, p.Checks[i]))], subject.AddressCount));
        }

        var cut = Cut(subject.SpfDomains.Count, subject.SpfDomainCount, "sending domains", "the first by name")
            + (single || subject.Addresses.Count == subject.AddressCount ? "" : $" Evaluated for the {subject.Addresses.Count:N0} sampled addresses of {subject.AddressCount:N0}.");
        checks.Add(pairs.Count == 0 ? SpfCheck.NoDomains(subject.Value) : SpfCheck.Combine(pairs, ofDomain: false, cut.Length == 0 ? null : cut.Trim()));
        var passing = pairs.GroupBy(p => p.Domain).Where(g => g.All(p => p.Result.Outcome == SpfOutcome.Pass)).Select(g => g.Key).ToList();
        return new PostureReport(checks, passing);
    }

    private async Task<PostureReport> DomainAsync(PostureSubject subject, CancellationToken ct)
    {
        var domain = subject.Value;
        var spf = new SpfEvaluator(dns);
        PostureCheck spfCheck;
        if (subject.SpfAddresses.Count == 0)
        {
            var (record, text, error) = await spf.RecordAsync(domain, ct);
            spfCheck = SpfCheck.RecordOnly(domain, record, text, error);
        }
        else
        {
            var pairs = new List<SpfPair>();
            foreach (var ip in subject.SpfAddresses)
            {
                pairs.Add(new SpfPair(ip, domain, await spf.CheckHostAsync(ip, domain, helo: null, ct)));
            }

            var cut = Cut(subject.SpfAddresses.Count, subject.SpfAddressCount, "sending addresses", "spread over the inventory's addresses and ranges");
            spfCheck = SpfCheck.Combine(pairs, ofDomain: true, cut.Length == 0 ? null : cut);
        }

        return new PostureReport(
        [
            spfCheck,
            await DomainPosture.DmarcAsync(domain, dns, suffixes, ct),
            await DomainPosture.DkimAsync(domain, subject.DkimSelectors, dns, ct),
            await DomainPosture.MxAsync(domain, dns, ct),
            await DomainPosture.MtaStsAsync(domain, checkWebsites, probe, dns, ct),
        ], []);
    }

    /// <summary>A HELO name should resolve to a sending address whose PTR is that name again (RFC 5321 §4.1.1.1; PTR = HELO = A).</summary>
    private async Task<PostureCheck> HeloNameAsync(string name, CancellationToken ct)
    {
        const string check = PostureCheckNames.Helo;
        var v4 = await dns.AddressesAsync(name, AddressFamily.InterNetwork, ct);
        var v6 = await dns.AddressesAsync(name, AddressFamily.InterNetworkV6, ct);
        var addresses = v4.Records.Concat(v6.Records).ToList();
        if (addresses.Count == 0)
        {
            return v4.Status == DnsAnswerStatus.Failed || v6.Status == DnsAnswerStatus.Failed
                ? PostureCheck.Unknown(check, $"The address lookup of {name} got no answer: {v4.Error ?? v6.Error}.", "Check that the resolver (Postmaster:Dns:Servers) answers, then refresh.")
                : PostureCheck.Fail(check, $"{name} has no A or AAAA record: receivers refuse a HELO name that does not resolve.", $"Add an A record {name} → the sending address that announces it.");
        }

        var unknown = false;
        foreach (var address in addresses.Take(AddressFacts.MaxNames))
        {
            var ptr = await dns.PtrAsync(address, ct);
            unknown |= ptr.Status == DnsAnswerStatus.Failed;
            if (ptr.Records.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return PostureCheck.Pass(check, $"{name} → {address}, whose PTR is {name} again.");
            }
        }

        var listed = PostureText.List([.. addresses.Select(a => a.ToString())], 3);
        return unknown
            ? PostureCheck.Unknown(check, $"{name} → {listed}; a PTR lookup got no answer.", "Check that the resolver (Postmaster:Dns:Servers) answers, then refresh.")
            : PostureCheck.Warn(check, $"{name} → {listed}, but no PTR of those addresses names {name}.", $"Have the PTR of the address that announces {name} set to {name}.");
    }

    private Task<PostureCheck> WebsiteAsync(AddressFacts facts, CancellationToken ct)
    {
        // Addresses of one range mostly share a host domain: ask its website once per run.
        var key = facts.HostName is { } host && facts.Pointers.Status != DnsAnswerStatus.Failed ? AddressPosture.HostDomain(host) : null;
        if (key is null || !checkWebsites)
        {
            return WebsiteCheck.CheckAsync(facts, checkWebsites, probe, dns, ct);
        }

        if (!_websites.TryGetValue(key, out var task))
        {
            _websites[key] = task = WebsiteCheck.CheckAsync(facts, checkWebsites, probe, dns, ct);
        }

        return task;
    }

    private static string Cut(int evaluated, long total, string what, string which) =>
        evaluated < total ? $"Evaluated for {evaluated:N0} of {total:N0} {what} ({which})." : "";
}
