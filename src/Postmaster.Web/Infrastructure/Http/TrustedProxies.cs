using System.Net;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>The reverse proxies named in <c>Postmaster:Http:TrustedProxies</c>, read into addresses and networks.</summary>
public sealed record TrustedProxies(IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Networks)
{
    private const string Key = "Postmaster:Http:TrustedProxies";

    /// <summary>Reads each entry; one that is neither an address nor a CIDR network gets a sentence in <paramref name="errors"/>.</summary>
    public static TrustedProxies Parse(IEnumerable<string> entries, out IReadOnlyList<string> errors)
    {
        var addresses = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        var problems = new List<string>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                if (IPNetwork.TryParse(entry, out var network))
                {
                    networks.Add(network);
                }
                else
                {
                    problems.Add(NetworkProblem(entry));
                }
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                problems.Add($"{Key} has \"{Bounded(entry)}\", which is not an IP address or a CIDR network. " +
                    "Name the proxy by its address as the app sees it (e.g. 172.28.0.80 or 10.0.0.0/8), not by its host name.");
            }
        }

        errors = problems;
        return new TrustedProxies(addresses, networks);
    }

    private static string NetworkProblem(string entry) =>
        $"{Key} has \"{Bounded(entry)}\", which is not a CIDR network: write an address, a slash and a prefix length " +
        "that fits it (e.g. 172.28.0.0/24, or fd00::/8).";

    private static string Bounded(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
