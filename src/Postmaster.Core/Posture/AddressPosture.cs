using System.Globalization;
using System.Net;

namespace Postmaster.Core.Posture;

/// <summary>
/// What DNS says about one sending address: its PTR names and what each resolves to. The checks
/// <c>ptr</c>, <c>fcrdns</c> and <c>helo</c> are judged from it, and a range's are combined from a
/// sample of its addresses.
/// </summary>
public sealed record AddressFacts(IPAddress Ip, DnsAnswer<string> Pointers, IReadOnlyList<(string Name, DnsAnswer<IPAddress> Forward)> Names)
{
    /// <summary>PTR names looked at; more are rare and receivers look at one (the same 10 as RFC 7208 §4.6.4).</summary>
    public const int MaxNames = 10;

    /// <summary>PTR names that resolve back to the address: forward-confirmed reverse DNS.</summary>
    public IReadOnlyList<string> Confirmed => [.. Names.Where(n => n.Forward.Records.Any(a => a.Equals(Ip))).Select(n => n.Name)];

    /// <summary>The name that stands for the address: the first confirmed one, else the first PTR name.</summary>
    public string? HostName => Confirmed is { Count: > 0 } confirmed ? confirmed[0] : Names.Count > 0 ? Names[0].Name : null;

    public static async Task<AddressFacts> GatherAsync(IPAddress ip, IPostureDns dns, CancellationToken ct)
    {
        var pointers = await dns.PtrAsync(ip, ct);
        var names = new List<(string, DnsAnswer<IPAddress>)>();
        foreach (var name in pointers.Records.Take(MaxNames))
        {
            names.Add((name, await dns.AddressesAsync(name, ip.AddressFamily, ct)));
        }

        return new AddressFacts(ip, pointers, names);
    }
}

public static class AddressPosture
{
    private static readonly HashSet<string> GenericWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "dyn", "dynamic", "dsl", "adsl", "vdsl", "xdsl", "dhcp", "pool", "cable", "ppp", "pppoe", "dialup", "dial", "broadband",
        "residential", "customer", "cust", "unassigned", "nat",
    };

    private const string Resolver = "Check that the resolver (Postmaster:Dns:Servers) answers, then refresh.";

    public static PostureCheck ReverseDns(AddressFacts facts)
    {
        const string name = PostureCheckNames.ReverseDns;
        var ip = facts.Ip;
        if (facts.Pointers.Status == DnsAnswerStatus.Failed)
        {
            return PostureCheck.Unknown(name, $"The PTR lookup of {ip} got no answer: {facts.Pointers.Error}.", Resolver);
        }

        if (facts.Names.Count == 0)
        {
            return PostureCheck.Fail(name, $"{ip} has no PTR record.", NoPtrFix(ip));
        }

        var names = facts.Names.Select(n => Shown(n.Name)).ToList();
        if (facts.Pointers.Records.Count > 1)
        {
            return PostureCheck.Warn(name, $"{ip} has {facts.Pointers.Records.Count} PTR names: {PostureText.List(names)}.",
                "Keep one PTR name, the one your MTA announces in EHLO: receivers compare one name with the HELO.");
        }

        var host = names[0];
        if (LooksGeneric(facts.Names[0].Name, ip))
        {
            return PostureCheck.Warn(name, $"{ip} → {host}, a generic name (it carries the address or words like dyn, dsl, pool).",
                $"Ask the holder of the address block for a PTR under your own domain, such as mail.yourdomain: receivers refuse generic names as residential (Comcast ES000001, Spamhaus PBL).");
        }

        return PostureCheck.Pass(name, $"{ip} → {host}.");
    }

    public static PostureCheck ForwardConfirmed(AddressFacts facts)
    {
        const string name = PostureCheckNames.Fcrdns;
        var ip = facts.Ip;
        var record = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "AAAA" : "A";
        if (facts.Pointers.Status == DnsAnswerStatus.Failed)
        {
            return PostureCheck.Unknown(name, $"The PTR lookup of {ip} got no answer: {facts.Pointers.Error}.", Resolver);
        }

        if (facts.Names.Count == 0)
        {
            return PostureCheck.Fail(name, $"{ip} has no PTR name to confirm.", NoPtrFix(ip));
        }

        if (facts.Confirmed.Count > 0)
        {
            return PostureCheck.Pass(name, $"{Shown(facts.Confirmed[0])} resolves back to {ip}.");
        }

        if (facts.Names.FirstOrDefault(n => n.Forward.Status == DnsAnswerStatus.Failed) is { Name: { } failedName } failing)
        {
            return PostureCheck.Unknown(name, $"The {record} lookup of {Shown(failedName)} got no answer: {failing.Forward.Error}.", Resolver);
        }

        var first = facts.Names[0];
        var found = first.Forward.Records.Count == 0
            ? $"{Shown(first.Name)} has no {record} record"
            : $"{Shown(first.Name)} resolves to {PostureText.List([.. first.Forward.Records.Select(a => a.ToString())], 3)}, not {ip}";
        return PostureCheck.Fail(name, $"The PTR of {ip} does not confirm: {found}.",
            $"Add an {record} record {Shown(first.Name)} → {ip}, or have the PTR changed to a name that resolves to {ip}.");
    }

    /// <summary>Whether the PTR name is one of the inventory's HELO names, which is what receivers compare (PTR = HELO = A).</summary>
    public static PostureCheck Helo(AddressFacts facts, IReadOnlyCollection<string> heloNames)
    {
        const string name = PostureCheckNames.Helo;
        var ip = facts.Ip;
        if (heloNames.Count == 0)
        {
            return PostureCheck.Unknown(name, "No HELO name in the inventory to compare the PTR with.",
                "Add the name your MTA announces in EHLO to the inventory as a HELO name (kind helo).");
        }

        if (facts.Pointers.Status == DnsAnswerStatus.Failed)
        {
            return PostureCheck.Unknown(name, $"The PTR lookup of {ip} got no answer: {facts.Pointers.Error}.", Resolver);
        }

        if (facts.Names.Count == 0)
        {
            return PostureCheck.Fail(name, $"{ip} has no PTR, so no HELO name can match it.",
                $"Have the PTR of {ip} set to your HELO name ({PostureText.List([.. heloNames], 3)}).");
        }

        var match = facts.Names.Select(n => n.Name).FirstOrDefault(n => heloNames.Contains(n, StringComparer.OrdinalIgnoreCase));
        if (match is null)
        {
            var host = Shown(facts.HostName!);
            return PostureCheck.Warn(name, $"The PTR name {host} is none of the inventory's HELO names ({PostureText.List([.. heloNames], 3)}).",
                $"Make the MTA on {ip} announce {host} in EHLO (and add it as a HELO name), or have the PTR set to the name it announces.");
        }

        if (!facts.Confirmed.Contains(match, StringComparer.OrdinalIgnoreCase))
        {
            return PostureCheck.Warn(name, $"The PTR name {Shown(match)} is a HELO name in the inventory, but it does not resolve back to {ip}.",
                $"Add an A record {Shown(match)} → {ip}, so that PTR, HELO and A agree.");
        }

        return PostureCheck.Pass(name, $"PTR, HELO and A agree: {Shown(match)}.");
    }

    /// <summary>
    /// One check of a range from its sampled addresses: the worst status, how many were checked
    /// out of how many, and the addresses with problems (a few, then a count).
    /// </summary>
    public static PostureCheck Combine(string name, IReadOnlyList<(IPAddress Ip, PostureCheck Check)> results, long total)
    {
        if (results.Count == 0)
        {
            return PostureCheck.Unknown(name, "No address was checked.", "Refresh the posture.");
        }

        var status = PostureStatusNames.Worst(results.Select(r => r.Check.Status));
        var sample = results.Count == total
            ? $"all {total:N0} addresses checked"
            : $"{results.Count:N0} of the {total:N0} addresses checked, spread over the range";
        var passed = results.Count(r => r.Check.Status == PostureStatus.Pass);
        if (status == PostureStatus.Pass)
        {
            return PostureCheck.Pass(name, $"Pass for every address checked ({sample}); {results[0].Check.Detail}");
        }

        var worst = results.Where(r => r.Check.Status == status).ToList();
        var first = worst[0].Check;
        var others = worst.Count > 1 ? $" ({worst.Count - 1:N0} more like it: {PostureText.List([.. worst.Skip(1).Select(w => w.Ip.ToString())], 4)})" : "";
        return new PostureCheck(name, status, $"{passed:N0} of {results.Count:N0} pass ({sample}). {first.Detail}{others}", first.Fix);
    }

    /// <summary>
    /// A name receivers read as a home or dynamic line: it carries the address's octets (in either
    /// order) or words such as dyn, dsl or pool as a label part.
    /// </summary>
    public static bool LooksGeneric(string name, IPAddress ip)
    {
        var parts = name.ToLowerInvariant().Split('.', '-', '_');
        if (parts.Any(GenericWords.Contains))
        {
            return true;
        }

        if (ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        var octets = ip.GetAddressBytes().Select(b => b.ToString(CultureInfo.InvariantCulture)).ToArray();
        var joined = "." + string.Join('.', parts) + ".";
        var hex = string.Concat(ip.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        return joined.Contains("." + string.Join('.', octets) + ".", StringComparison.Ordinal)
            || joined.Contains("." + string.Join('.', octets.Reverse()) + ".", StringComparison.Ordinal)
            || name.Contains(hex, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The domain a host name belongs to, for the website check: the name without its first label (mail.example.com → example.com).</summary>
    public static string HostDomain(string host)
    {
        var labels = host.TrimEnd('.').Split('.');
        return labels.Length >= 3 ? string.Join('.', labels[1..]) : host.TrimEnd('.');
    }

    /// <summary>A PTR or host name as shown: printable and bounded.</summary>
    public static string Shown(string name) => PostureText.Bound(name, 120);

    private static string NoPtrFix(IPAddress ip) =>
        $"Ask the holder of the address block (your hosting provider or ISP) to set a PTR for {ip} naming your mail host, such as mail.yourdomain, with a matching A record.";
}
