using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Postmaster.Core.Signals.Probes;

/// <summary>Finds the MX a probe talks to when none is configured: the most preferred MX of the recipient's domain.</summary>
public sealed class MxLookup
{
    private readonly LookupClient _client;

    /// <param name="servers">The resolvers to ask; empty means the system's.</param>
    public MxLookup(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, int retries = 1)
    {
        var options = servers.Count > 0 ? new LookupClientOptions(servers.Select(s => new NameServer(s)).ToArray()) : new LookupClientOptions();
        options.Timeout = timeout;
        options.Retries = retries;
        options.UseCache = true;
        options.ThrowDnsErrors = false;
        options.UseTcpFallback = true;
        options.EnableAuditTrail = false;
        _client = new LookupClient(options);
    }

    /// <summary>The host name of the domain's most preferred MX (the lowest preference value; ties keep the answer's order), or an error saying why there is none.</summary>
    public async Task<(string? Host, string? Error)> FirstMxAsync(string domain, CancellationToken ct)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(domain, QueryType.MX, QueryClass.IN, ct);
        }
        catch (DnsResponseException e)
        {
            return (null, $"MX lookup for {domain} failed: {e.Message}");
        }
        catch (SocketException e)
        {
            return (null, $"MX lookup for {domain} failed: {e.Message}");
        }

        if (response.HasError)
        {
            return (null, $"MX lookup for {domain} failed: {response.ErrorMessage}");
        }

        var mx = response.Answers.MxRecords()
            .Select((r, i) => (Record: r, Index: i))
            .OrderBy(r => r.Record.Preference).ThenBy(r => r.Index)
            .Select(r => r.Record.Exchange.Value.TrimEnd('.'))
            .FirstOrDefault(h => h.Length > 0); // "." is RFC 7505's null MX: the domain takes no mail
        return mx is null ? (null, $"{domain} has no MX record") : (mx, null);
    }
}
