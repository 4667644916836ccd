using System.Net;
using System.Net.Sockets;
using Postmaster.Core.Posture.Spf;

namespace Postmaster.Core.Posture;

/// <summary>One SPF evaluation of the checklist: a sending address and a sending domain of the inventory, and what check_host() said.</summary>
public sealed record SpfPair(IPAddress Ip, string Domain, SpfResult Result);

/// <summary>
/// The <c>spf</c> check from the evaluations of an asset's pairs: for a domain, each of its sending
/// addresses; for an address or range, each of its sending domains. Pass for every pair passes;
/// softfail and neutral warn; fail, none and permerror fail; temperror is unknown.
/// </summary>
public static class SpfCheck
{
    public static PostureStatus StatusOf(SpfOutcome outcome) => outcome switch
    {
        SpfOutcome.Pass => PostureStatus.Pass,
        SpfOutcome.SoftFail or SpfOutcome.Neutral => PostureStatus.Warn,
        SpfOutcome.TempError => PostureStatus.Unknown,
        _ => PostureStatus.Fail,
    };

    /// <param name="pairs">The evaluations made.</param>
    /// <param name="ofDomain">True for a domain's check (pairs differ by address), false for an address's (pairs differ by domain).</param>
    /// <param name="cut">When not every pair was evaluated, the sentence that says how many were.</param>
    public static PostureCheck Combine(IReadOnlyList<SpfPair> pairs, bool ofDomain, string? cut)
    {
        const string name = PostureCheckNames.Spf;
        var status = PostureStatusNames.Worst(pairs.Select(p => StatusOf(p.Result.Outcome)));
        var groups = pairs.GroupBy(p => p.Result.Outcome).OrderBy(g => Rank(g.Key)).ToList();
        var parts = groups.Select(g =>
        {
            var subjects = PostureText.List([.. g.Select(p => ofDomain ? p.Ip.ToString() : p.Domain).Distinct()], 4);
            return $"{SpfResult.ToApi(g.Key)} for {subjects} ({PostureText.Bound(g.First().Result.Reason, 220)})";
        });
        var detail = string.Join("; ", parts) + "." + (cut is null ? "" : " " + cut);
        if (status == PostureStatus.Pass)
        {
            return PostureCheck.Pass(name, detail);
        }

        var worst = groups.First(g => StatusOf(g.Key) == status).ToList();
        return new PostureCheck(name, status, detail, Fix(worst, ofDomain));
    }

    /// <summary>What can be said without a sending address: whether the domain's record is there and parses.</summary>
    public static PostureCheck RecordOnly(string domain, SpfRecord? record, string? text, SpfResult? error)
    {
        const string name = PostureCheckNames.Spf;
        if (error is not null)
        {
            var pair = new SpfPair(IPAddress.None, domain, error);
            return new PostureCheck(name, StatusOf(error.Outcome), $"{SpfResult.ToApi(error.Outcome)}: {error.Reason}.", Fix([pair], ofDomain: true));
        }

        return PostureCheck.Unknown(name, $"SPF record of {domain}: {PostureText.Bound(text, 300)}. No sending address in the inventory to evaluate it for.",
            $"Add the addresses that send as {domain} to the inventory (in the domain's pool, if it has one), then refresh.");
    }

    /// <summary>Nothing to evaluate for an address: no sending domain in the inventory.</summary>
    public static PostureCheck NoDomains(string value) =>
        PostureCheck.Unknown(PostureCheckNames.Spf, $"No sending domain in the inventory to evaluate SPF for {value}.",
            "Add the domains this address sends as to the inventory (in the address's pool, if it has one), then refresh.");

    private static string Fix(List<SpfPair> pairs, bool ofDomain)
    {
        var first = pairs[0];
        var domain = first.Domain;
        var domains = PostureText.List([.. pairs.Select(p => p.Domain).Distinct()], 3);
        switch (first.Result.Problem)
        {
            case SpfProblem.NoRecord:
                return $"Publish one TXT record at {domains}: \"v=spf1 {Mechanisms(pairs)} ~all\" (with every address and service that sends as it).";
            case SpfProblem.NoSuchDomain:
                return $"{domain} does not exist in DNS: register it, or take it out of the inventory.";
            case SpfProblem.MultipleRecords:
                return $"Merge the SPF records of {domain} into one: receivers treat two as an error (RFC 7208 §4.5).";
            case SpfProblem.Syntax:
                return $"Correct the SPF record of {domain}: {PostureText.Bound(first.Result.Reason, 160)}.";
            case SpfProblem.TooManyLookups:
                return $"Bring the SPF record of {domain} down to 10 include, a, mx, ptr, exists and redirect terms (they count through includes): drop includes of services you no longer use, or replace them with ip4:/ip6: ranges.";
            case SpfProblem.TooManyVoidLookups:
                return $"Remove the terms of {domain}'s SPF record that name domains or hosts without records.";
            case SpfProblem.TooManyMxRecords:
                return $"Replace the mx mechanism in {domain}'s SPF record with ip4:/a: terms: its MX has more than 10 hosts.";
            case SpfProblem.IncludeWithoutRecord:
                return $"Correct or remove the include or redirect in {domain}'s SPF record that names a domain without an SPF record.";
            case SpfProblem.Dns:
                return $"The SPF lookups for {domains} got no answer: check its name servers and the resolver (Postmaster:Dns:Servers), then refresh.";
        }

        var addresses = PostureText.List([.. pairs.Select(p => p.Ip.ToString()).Distinct()], 3);
        return ofDomain
            ? $"Authorise {addresses} in the SPF record of {domain} ({Mechanisms(pairs)}, or the include of the service that sends from them), or move them out of the domain's pool if they do not send as {domain}."
            : $"Add {Mechanisms(pairs)} to the SPF record of {domains}, or move this address out of their pool if it does not send as them.";
    }

    private static string Mechanisms(List<SpfPair> pairs) =>
        string.Join(' ', pairs.Select(p => p.Ip).Where(ip => !ip.Equals(IPAddress.None)).Distinct().Take(3)
            .Select(ip => (ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6:" : "ip4:") + ip)) is { Length: > 0 } m ? m : "ip4:<your sending address>";

    private static int Rank(SpfOutcome outcome) => outcome switch
    {
        SpfOutcome.PermError => 0,
        SpfOutcome.Fail => 1,
        SpfOutcome.None => 2,
        SpfOutcome.TempError => 3,
        SpfOutcome.SoftFail => 4,
        SpfOutcome.Neutral => 5,
        _ => 6,
    };
}
